"""The programme's figures in the demo: the targets and envelopes announced for the pilot
(ministry, 2 October 2020), and their split between Aisne and Val-d'Oise.

Announced: 27.3 M€ in all; M4 9 M€ for 2,700 elementary classes; M5 15,000 classes; M6 6 M€ for
15,000 pupils lent a device; M7 1,000 new teachers, with 2 M€ for 1,000 kits, 225 in Aisne and
775 in Val-d'Oise. Not announced, so marked « hypothèse de démonstration »: the 10.3 M€ left,
shared equally among M1, M2, M3, M5 and M8; the split of every other target and envelope between
the two départements, in proportion to their classes of the current year (elementary classes
for M4 and M6, which are about elementary schools; all classes otherwise), in whole units and
whole euros, the two parts adding up to the national figure exactly; M1 and M3 (« tous les
professeurs ») count the demo's teachers. M2 and M8 have no target (none was announced).

Idempotent: a figure already there is left as it is (someone may have changed it), so a second
run creates nothing."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from tne.core.models import AuditSource
from tne.programme import services
from tne.programme.enums import PeriodKind, Unit
from tne.programme.models import Envelope, Measure, Period, Target
from tne.territory.enums import NodeKind
from tne.territory.models import SchoolFigures, SchoolYear, TerritoryNode

HYPOTHESIS = "hypothèse de démonstration"
ANNOUNCED = "annoncé par le ministère (2 octobre 2020)"
KITS_SPLIT = "répartition annoncée des 1 000 kits : 225 dans l'Aisne, 775 dans le Val-d'Oise"
PILOT_PERIOD = "Phase pilote"
PILOT_STARTS = datetime.date(2020, 9, 1)
TOTAL = Decimal("27300000")
PILOT = ("02", "95")

# The envelopes the announcement states, and the measures that share the rest equally.
ANNOUNCED_ENVELOPES = {"M4": Decimal("9000000"), "M6": Decimal("6000000"), "M7": Decimal("2000000")}
SHARED_MEASURES = ("M1", "M2", "M3", "M5", "M8")
KITS = {"02": 225, "95": 775}


@dataclass
class ProgrammeFigures:
    targets: int = 0
    envelopes: int = 0


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` shared in proportion to ``weights`` in whole units, adding up exactly: each
    part rounded down, then the units left to the largest remainders (equal parts when every
    weight is 0)."""
    keys = sorted(weights)
    whole = sum(weights.values())
    if whole == 0:
        weights, whole = dict.fromkeys(keys, 1), len(keys)
    parts = {k: total * weights[k] // whole for k in keys}
    left = total - sum(parts.values())
    by_remainder = sorted(keys, key=lambda k: (-(total * weights[k] % whole), k))
    for k in by_remainder[:left]:
        parts[k] += 1
    return parts


def _pilot_counts() -> dict[str, dict[str, int]]:
    year = SchoolYear.objects.current()
    rows = (
        SchoolFigures.objects.filter(school__departement__code__in=PILOT, year=year)
        .values("school__departement__code")
        .annotate(classes=Sum("classes"), elementary=Sum("elementary_classes"))
    )
    teachers = (
        SchoolFigures.objects.filter(school__departement__code__in=PILOT)
        .values("school__departement__code")
        .annotate(teachers=Sum("teachers"))
    )
    counts = {
        code: {"classes": 0, "elementary": 0, "teachers": 0, "kits": KITS[code]} for code in PILOT
    }
    for row in rows:
        counts[row["school__departement__code"]].update(
            classes=row["classes"] or 0, elementary=row["elementary"] or 0
        )
    for row in teachers:
        counts[row["school__departement__code"]]["teachers"] = row["teachers"] or 0
    return counts


def _plan(counts) -> tuple[list[tuple], list[tuple]]:
    """The targets (measure, national count, unit, basis) and envelopes (measure, national
    amount, basis, note) to load."""
    teachers = sum(c["teachers"] for c in counts.values())
    targets = [
        ("M4", 2_700, Unit.CLASSES, "elementary", ANNOUNCED),
        ("M5", 15_000, Unit.CLASSES, "classes", ANNOUNCED),
        ("M6", 15_000, Unit.PUPILS, "elementary", ANNOUNCED),
        ("M7", 1_000, Unit.TEACHERS, "kits", ANNOUNCED),
    ]
    if teachers:
        note = f"{HYPOTHESIS} : tous les professeurs de la démonstration"
        targets += [
            ("M1", teachers, Unit.TEACHERS, "teachers", note),
            ("M3", teachers, Unit.TEACHERS, "teachers", note),
        ]
    rest = TOTAL - sum(ANNOUNCED_ENVELOPES.values())
    shared = rest / len(SHARED_MEASURES)
    basis = {"M4": "elementary", "M6": "elementary", "M7": "kits"}
    envelopes = [
        (code, amount, basis[code], ANNOUNCED) for code, amount in ANNOUNCED_ENVELOPES.items()
    ]
    envelopes += [
        (code, shared, "classes", f"{HYPOTHESIS} : part égale des 10,3 M€ non ventilés")
        for code in SHARED_MEASURES
    ]
    envelopes.sort(key=lambda row: row[0])
    return targets, envelopes


def _part_note(basis: str) -> str:
    if basis == "kits":
        return KITS_SPLIT
    if basis == "teachers":
        return f"{HYPOTHESIS} : professeurs du département"
    what = "classes élémentaires" if basis == "elementary" else "classes"
    return f"{HYPOTHESIS} : au prorata des {what} de l'année en cours"


@transaction.atomic
def load_programme_figures() -> ProgrammeFigures:
    """Loads the pilot's period, targets and envelopes (national, then Aisne and Val-d'Oise);
    returns what it created."""
    result = ProgrammeFigures()
    country = TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).first()
    departements = {
        n.code: n for n in TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, code__in=PILOT)
    }
    if country is None or set(departements) != set(PILOT):
        return result
    period, _ = Period.objects.get_or_create(
        label=PILOT_PERIOD, defaults={"kind": PeriodKind.PHASE, "starts_on": PILOT_STARTS}
    )
    measures = {m.code: m for m in Measure.objects.all()}
    counts = _pilot_counts()
    targets, envelopes = _plan(counts)
    existing_targets = set(
        Target.objects.filter(period=period).values_list("measure__code", "node_id")
    )
    for code, total, unit, basis, note in targets:
        parts = split(total, {dep: counts[dep][basis] for dep in PILOT})
        for node, count, text in [
            (country, total, note),
            *((departements[dep], parts[dep], _part_note(basis)) for dep in PILOT),
        ]:
            if (code, node.pk) in existing_targets or count <= 0:
                continue
            services.create_target(
                actor=None,
                measure=measures[code],
                node=node,
                period=period,
                count=count,
                unit=unit,
                note=text,
                source=AuditSource.CLI,
            )
            result.targets += 1
    held = {
        (e.measure.code, e.node_id): e
        for e in Envelope.objects.filter(period=period).select_related("measure")
    }
    for code, total, basis, note in envelopes:
        whole = held.get((code, country.pk))
        if whole is None:
            whole = services.create_envelope(
                actor=None,
                measure=measures[code],
                node=country,
                period=period,
                amount=total,
                note=note,
                source=AuditSource.CLI,
            )
            result.envelopes += 1
        euros = split(int(whole.amount), {dep: counts[dep][basis] for dep in PILOT})
        for dep in PILOT:
            if (code, departements[dep].pk) in held or euros[dep] <= 0:
                continue
            services.create_envelope(
                actor=None,
                measure=measures[code],
                node=departements[dep],
                period=period,
                amount=Decimal(euros[dep]),
                parent=whole,
                note=_part_note(basis),
                source=AuditSource.CLI,
            )
            result.envelopes += 1
    return result
