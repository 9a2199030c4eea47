"""Step 3b: the equipment of measure M5 at national scale, written with PostgreSQL ``COPY``:
600,000 class allocations of the hybrid-teaching kit over the national schools (one campaign and
one envelope per département), at every step, their orders (one per 2,000 allocations, three
lines each: webcam, microphone, speakers), 1,000,002 devices (three per allocation delivered or
later, on their order line, at their school and class), then the per-school tallies recounted
in SQL (``SchoolTally``, what the progress dashboards sum), then ``VACUUM ANALYZE``.

The catalogue is the demo's (:func:`tne.demo.equipment.ensure_catalogue`). Skipped when the
step is recorded as done (``bench_state`` key ``equipment``, written by ``national.py`` once it
succeeded); what an interrupted run left is removed first."""

import datetime
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from tne.demo.equipment import ensure_catalogue
from tne.equipment.enums import AllocationStatus, AssetSource, AssetState, OrderStatus
from tne.equipment.models import (
    Allocation,
    Asset,
    Campaign,
    KitTemplate,
    Order,
    OrderLine,
    SchoolTally,
    Supplier,
)
from tne.equipment.pricing import item_model, with_items
from tne.programme.enums import PeriodKind
from tne.programme.models import Envelope, Measure, Period
from tne.territory.enums import NodeKind
from tne.territory.models import School, SchoolClass, SchoolYear, TerritoryNode

SEED = 2025
ALLOCATIONS = 600_000
DELIVERED = 333_334  # × 3 devices: 1,000,002 assets
ORDER_SIZE = 2_000
PERIOD = "Banc national"
NOTE = "Banc national (synthétique)"
# After the delivered ones (installed, in service, delivered), the others in these shares.
LATER_STEPS = [
    (AllocationStatus.ORDERED, 0.45),
    (AllocationStatus.PLANNED, 0.52),
    (AllocationStatus.CANCELLED, 0.03),
]
DELIVERED_STEPS = [
    (AllocationStatus.INSTALLED, 0.60),
    (AllocationStatus.IN_SERVICE, 0.10),
    (AllocationStatus.DELIVERED, 0.30),
]
SERIAL_PREFIX = {"webcam": "2411LZ0", "microphone": "TR22656", "speakers": "CT51MF"}
TABLES = (Campaign, Allocation, Order, OrderLine, Asset, SchoolTally)


def _steps(count: int, steps) -> list[str]:
    out = []
    for status, share in steps:
        out += [str(status)] * round(count * share)
    out += [str(steps[-1][0])] * (count - len(out))
    return out[:count]


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _envelopes(measure, departements, amount_per_class: Decimal, classes: Counter) -> dict:
    country = TerritoryNode.objects.get(kind=NodeKind.COUNTRY)
    period, _ = Period.objects.get_or_create(
        label=PERIOD,
        defaults={"kind": PeriodKind.PHASE, "starts_on": datetime.date(2026, 9, 1)},
    )
    parts = {d.pk: amount_per_class * max(classes[d.pk], 1) for d in departements}
    whole, _ = Envelope.objects.get_or_create(
        measure=measure,
        node=country,
        period=period,
        defaults={"amount": sum(parts.values()), "note": NOTE},
    )
    envelopes = {}
    for departement in departements:
        envelopes[departement.pk], _ = Envelope.objects.get_or_create(
            measure=measure,
            node=departement,
            period=period,
            defaults={"amount": parts[departement.pk], "parent": whole, "note": NOTE},
        )
    return envelopes


def synthesise(year: SchoolYear) -> dict:
    """Writes the equipment once; returns counts and timings (empty when already there)."""
    from . import state

    if state.read("equipment") and Asset.objects.filter(note=NOTE).exists():
        return {}
    clear_partial()
    started = time.perf_counter()
    ensure_catalogue()
    kit = with_items(KitTemplate.objects.filter(code="kit-hybride").select_related("measure"))[0]
    items = [(item_model(item), item.quantity, item.category.code) for item in kit.items.all()]
    measure = Measure.objects.get(pk=kit.measure_id)
    supplier = Supplier.objects.get(name="UGAP")
    rng = random.Random(SEED)

    rows = list(
        SchoolClass.objects.filter(year=year)
        .order_by("pk")
        .values_list("pk", "school_id", "school__departement_id")
    )
    rng.shuffle(rows)
    rows = sorted(rows[:ALLOCATIONS], key=lambda r: (r[2], r[1], r[0]))
    # Exactly DELIVERED allocations delivered or later (three devices each), drawn at random.
    # (With --quick, the five ninths of the classes of two départements.)
    n_delivered = DELIVERED if len(rows) >= ALLOCATIONS else len(rows) * 5 // 9
    delivered_positions = set(rng.sample(range(len(rows)), n_delivered))
    later = iter(_steps(len(rows) - n_delivered, LATER_STEPS))
    deliv = iter(_steps(n_delivered, DELIVERED_STEPS))
    statuses = [next(deliv) if i in delivered_positions else next(later) for i in range(len(rows))]

    departements = list(
        TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, pk__in={r[2] for r in rows})
    )
    per_dep = Counter(r[2] for r in rows)
    kit_price = sum((m.unit_price * q for m, q, _ in items), Decimal("0"))
    envelopes = _envelopes(measure, departements, kit_price * Decimal("1.1"), per_dep)
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"Kits d'enseignement hybride — {d.name} — {year.label}",
            measure=measure,
            kit=kit,
            node=d,
            note=NOTE,
        )
        for d in departements
    )
    campaign_of = {c.node_id: c for c in campaigns}
    ordered_statuses = {"ORDERED", "DELIVERED", "INSTALLED", "IN_SERVICE"}

    # Orders: per département, waves of ORDER_SIZE ordered allocations.
    order_of_row: dict[int, Order] = {}
    orders, batch = [], defaultdict(list)
    for index, (row, status) in enumerate(zip(rows, statuses, strict=True)):
        if status in ordered_statuses:
            batch[row[2]].append(index)
    number = 0
    order_batches = []
    for dep, indexes in batch.items():
        for start in range(0, len(indexes), ORDER_SIZE):
            chunk = indexes[start : start + ORDER_SIZE]
            number += 1
            order = Order(
                number=f"BN-{number:06d}",
                supplier=supplier,
                envelope=envelopes[dep],
                campaign=campaign_of[dep],
                status=OrderStatus.COMMITTED,
                ordered_on=year.starts_on + datetime.timedelta(days=10),
                total=kit_price * len(chunk),
            )
            orders.append(order)
            order_batches.append((order, chunk))
    Order.objects.bulk_create(orders, batch_size=1000)
    lines = []
    line_of = {}
    for order, chunk in order_batches:
        for model, quantity, _ in items:
            line = OrderLine(
                order=order,
                model=model,
                quantity=quantity * len(chunk),
                unit_price=model.unit_price,
            )
            lines.append(line)
            line_of[(order.pk, model.pk)] = line
        for index in chunk:
            order_of_row[index] = order
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    prepared = time.perf_counter() - started

    started = time.perf_counter()
    now = timezone.now()
    ordered_on = year.starts_on + datetime.timedelta(days=10)
    delivered_on = year.starts_on + datetime.timedelta(days=35)
    installed_on = year.starts_on + datetime.timedelta(days=45)
    table = Allocation._meta.db_table
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} (campaign_id, kit_id, measure_id, school_id, school_class_id, "
            "order_id, status, ordered_on, delivered_on, installed_on, in_service_on, "
            "created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for index, ((class_id, school_id, dep), status) in enumerate(
            zip(rows, statuses, strict=True)
        ):
            order = order_of_row.get(index)
            step = ["ORDERED", "DELIVERED", "INSTALLED", "IN_SERVICE"]
            rank = step.index(status) if status in step else -1
            copy.write_row(
                (
                    campaign_of[dep].pk,
                    kit.pk,
                    measure.pk,
                    school_id,
                    class_id,
                    order.pk if order else None,
                    status,
                    ordered_on if rank >= 0 else None,
                    delivered_on if rank >= 1 else None,
                    installed_on if rank >= 2 else None,
                    installed_on if rank >= 3 else None,
                    now,
                    now,
                )
            )
    allocations_seconds = time.perf_counter() - started

    started = time.perf_counter()
    # Read before the COPY: the connection cannot fetch while it copies.
    delivered = list(
        Allocation.objects.filter(
            campaign__note=NOTE, status__in=["DELIVERED", "INSTALLED", "IN_SERVICE"]
        )
        .order_by("pk")
        .values_list(
            "pk", "school_id", "school_class_id", "order_id", "status", "school__departement__code"
        )
    )
    asset_table = Asset._meta.db_table
    counter = 0
    delivered_per_line = Counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {asset_table} (serial_number, asset_tag, model_id, state, school_id, "
            "school_class_id, allocation_id, order_line_id, delivered_on, warranty_ends_on, "
            "source, note, created_at, updated_at) FROM STDIN"
        ) as copy:
            for pk, school_id, class_id, order_id, status, dep in delivered:
                state = AssetState.ALLOCATED if status == "DELIVERED" else AssetState.INSTALLED
                for model, quantity, category in items:
                    line = line_of[(order_id, model.pk)]
                    for _ in range(quantity):
                        counter += 1
                        delivered_per_line[line.pk] += 1
                        copy.write_row(
                            (
                                f"{SERIAL_PREFIX.get(category, 'SN')}{_base36(counter).zfill(6)}",
                                f"TNE{dep}-{counter:07d}",
                                model.pk,
                                str(state),
                                school_id,
                                class_id,
                                pk,
                                line.pk,
                                delivered_on,
                                delivered_on + datetime.timedelta(days=730),
                                str(AssetSource.DELIVERY),
                                NOTE,
                                now,
                                now,
                            )
                        )
        for line in lines:
            line.delivered = delivered_per_line[line.pk]
        OrderLine.objects.bulk_update(lines, ["delivered"], batch_size=2000)
    assets_seconds = time.perf_counter() - started

    tally_seconds = recount_tallies()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    analyze_seconds = time.perf_counter() - started
    return {
        "allocations": len(rows),
        "assets": counter,
        "orders": len(orders),
        "order_lines": len(lines),
        "tallies": SchoolTally.objects.count(),
        "statuses": dict(Counter(statuses)),
        "prepare_seconds": round(prepared, 2),
        "allocations_seconds": round(allocations_seconds, 2),
        "assets_seconds": round(assets_seconds, 2),
        "tallies_seconds": round(tally_seconds, 2),
        "analyze_seconds": round(analyze_seconds, 2),
    }


def clear_partial() -> None:
    """Removes what an interrupted run left (its campaigns, allocations, orders, envelopes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        campaigns = f"SELECT id FROM {Campaign._meta.db_table} WHERE note = %s"
        orders = f"SELECT id FROM {Order._meta.db_table} WHERE campaign_id IN ({campaigns})"
        cursor.execute(f"DELETE FROM {Asset._meta.db_table} WHERE note = %s", [NOTE])
        cursor.execute(
            f"DELETE FROM {Allocation._meta.db_table} WHERE campaign_id IN ({campaigns})", [NOTE]
        )
        cursor.execute(
            f"DELETE FROM {OrderLine._meta.db_table} WHERE order_id IN ({orders})", [NOTE]
        )
        cursor.execute(
            f"DELETE FROM {Order._meta.db_table} WHERE campaign_id IN ({campaigns})", [NOTE]
        )
        cursor.execute(f"DELETE FROM {Campaign._meta.db_table} WHERE note = %s", [NOTE])


def recount_tallies() -> float:
    """Every school's tallies rebuilt in one SQL statement (what ``recount_schools`` does for a
    few schools through the ORM). Returns the seconds it took."""
    started = time.perf_counter()
    tally, allocation = SchoolTally._meta.db_table, Allocation._meta.db_table
    school = School._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tally}")
        # With the school's places, as ``recount_schools`` copies them (the progress sums the
        # tallies per département, commune or circonscription without joining the schools).
        cursor.execute(
            f"INSERT INTO {tally} (school_id, measure_id, status, count, departement_id, "
            "commune_id, circonscription_id) "
            "SELECT a.school_id, a.measure_id, a.status, count(*), s.departement_id, "
            f"s.commune_id, s.circonscription_id FROM {allocation} a "
            f"JOIN {school} s ON s.id = a.school_id "
            "GROUP BY a.school_id, a.measure_id, a.status, s.departement_id, s.commune_id, "
            "s.circonscription_id"
        )
    return time.perf_counter() - started


# The equipment pages timed, by URL name; a name that does not resolve yet (the page is being
# written on another branch) is skipped with a line of the report.
def _url(name: str, query: str = "", candidates=({},)) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        except NoReverseMatch:
            continue
    return None


def _busiest_school(departement: TerritoryNode):
    """The school of ``departement`` with the most devices: the heaviest equipment page."""
    from django.db.models import Count

    row = (
        Asset.objects.filter(school__departement=departement)
        .values("school")
        .annotate(n=Count("pk"))
        .order_by("-n", "school")
        .first()
    )
    return School.objects.get(pk=row["school"]) if row else None


def _middle_tag(departement: TerritoryNode) -> str:
    """The asset tag in the middle of ``departement``'s devices (by tag): the keyset page after
    it is deep in the list of both profiles (the coordinator reads the département only)."""
    rows = Asset.objects.filter(school__departement=departement).order_by("asset_tag")
    count = rows.count()
    return rows.values_list("asset_tag", flat=True)[count // 2] if count else ""


def scenarios(departement: TerritoryNode) -> tuple[list, list[str]]:
    """(the scenarios, the sentences naming the pages skipped). The list's GET parameters are
    those of ``AssetFilterForm`` (``etat``, ``ecole``: a school's id or UAI, ``q``: the
    beginning of a serial number or asset tag, any case) and of its keyset pages (``apres``:
    the last tag of the page shown; no page numbers, no count)."""
    from urllib.parse import urlencode

    from .timing import Scenario

    country = TerritoryNode.objects.get(kind=NodeKind.COUNTRY)
    school = _busiest_school(departement)
    serial = (
        Asset.objects.filter(school=school)
        .order_by("serial_number")
        .values_list("serial_number", flat=True)
        .first()
        if school
        else ""
    )
    middle = _middle_tag(departement)
    school_args = ({"school_id": school.pk},) if school else ()
    wanted = [
        ("Matériels, page 1", "equipment:asset_list", "", ({},)),
        ("Matériels, état installé", "equipment:asset_list", "etat=INSTALLED", ({},)),
        (
            "Matériels, école (id) + état",
            "equipment:asset_list",
            urlencode({"ecole": school.pk if school else "", "etat": "INSTALLED"}),
            ({},),
        ),
        (
            "Matériels, école (UAI) + état",
            "equipment:asset_list",
            urlencode({"ecole": school.uai if school else "", "etat": "INSTALLED"}),
            ({},),
        ),
        (
            "Matériels, page suivante au milieu du département",
            "equipment:asset_list",
            urlencode({"apres": middle}),
            ({},),
        ),
        (
            "Matériels, état + page suivante",
            "equipment:asset_list",
            urlencode({"etat": "INSTALLED", "apres": middle}),
            ({},),
        ),
        (
            "Matériels, n° de série complet",
            "equipment:asset_list",
            urlencode({"q": serial}),
            ({},),
        ),
        (
            "Matériels, début de n° de série en minuscules",
            "equipment:asset_list",
            urlencode({"q": serial[:8].lower()}),
            ({},),
        ),
        ("Équipement d'une école", "equipment:school", "", school_args),
        (
            "Avancement M5, national",
            "equipment:progress",
            f"measure=M5&node={country.pk}",
            ({},),
        ),
        (
            "Avancement M5, département",
            "equipment:progress",
            f"measure=M5&node={departement.pk}",
            ({},),
        ),
    ]
    out, skipped = [], []
    for page, name, query, candidates in wanted:
        url = _url(name, query, candidates)
        if url is None:
            skipped.append(f"{page} : l'URL « {name} » n'existe pas encore, page non mesurée.")
            continue
        for who in ("national", f"coordination {departement.code}"):
            if name == "equipment:progress" and f"node={country.pk}" in query and who != "national":
                continue  # the country is not in a département coordinator's reach (404)
            out.append(Scenario(page, who, url))
    return out, skipped


def run_jobs() -> tuple[list[dict], list[str]]:
    """The delivery import of 100,000 lines and the label sheet of 1,000 tags, by the modules
    ``bench/equipment_delivery.py`` and ``bench/equipment_labels.py`` when they are there (each
    has ``run() -> dict`` with at least ``label`` and ``seconds``)."""
    import importlib

    results, skipped = [], []
    for module_name, what in (
        ("bench.equipment_delivery", "Import d'un fichier de livraison de 100 000 lignes"),
        ("bench.equipment_labels", "Planche de 1 000 étiquettes"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            skipped.append(f"{what} : {module_name} n'existe pas encore, non mesuré.")
            continue
        results.append({"label": what, **module.run()})
    return results, skipped


TARGET_MS = 50
JOB_TARGET_S = 10
DOC_START, DOC_END = "<!-- bench:equipment:start -->", "<!-- bench:equipment:end -->"


def report_section(
    synthesis: dict | None,
    measures: list,
    jobs: list[dict],
    skipped: list[str],
    *,
    title: str = "Équipement (M5) : 600 000 affectations, 1 000 000 de matériels",
    machine: dict | None = None,
    command: str = "",
    runs: int | None = None,
):
    """The equipment part of the report (Markdown): the command and the machine (with its load
    average), the load, the pages against their 50 ms target, the import and labels against
    10 s, and what was not measured."""
    from .report import _ms, _size, _table

    out = [f"### {title}", ""]
    if command:
        out += [
            f"Commande : `{command}`"
            + (f" — {runs} essais par page après échauffement." if runs else ""),
            "",
        ]
    if machine:
        out += ["#### Machine", "", _table(["", ""], [[k, v] for k, v in machine.items()]), ""]
    if synthesis:
        rows = [
            [
                "Catalogue, campagnes, enveloppes, commandes",
                synthesis.get("orders", ""),
                f"{synthesis['prepare_seconds']:.1f}",
            ],
            [
                "Affectations (`COPY`)",
                synthesis["allocations"],
                f"{synthesis['allocations_seconds']:.1f}",
            ],
            [
                "Matériels (`COPY`) et lignes livrées",
                synthesis["assets"],
                f"{synthesis['assets_seconds']:.1f}",
            ],
            [
                "Décomptes par école (SQL)",
                synthesis["tallies"],
                f"{synthesis['tallies_seconds']:.1f}",
            ],
            ["`VACUUM ANALYZE`", "", f"{synthesis['analyze_seconds']:.1f}"],
        ]
        out += ["#### Chargement", "", _table(["Étape", "Lignes", "Durée (s)"], rows), ""]
    rows = []
    for m in measures:
        s = m.scenario
        if not m.ok:
            rows.append(
                [s.page, s.who, f"`{s.url}`", "—", "—", "—", "—", "—", "—", f"⚠️ {m.verdict}"]
            )
            continue
        verdict = "✅" if m.median < TARGET_MS else "❌ au-dessus de l'objectif"
        rows.append(
            [
                s.page,
                s.who,
                f"`{s.url}`",
                _ms(m.median),
                _ms(m.p95),
                _ms(m.cpu_median),
                str(m.queries),
                _ms(m.sql_ms),
                _size(m.bytes),
                f"{verdict} ({len(m.timings_ms)} essais)",
            ]
        )
    if rows:
        out += [f"#### Pages (objectif : médiane sous {TARGET_MS} ms)", ""]
        headers = [
            "Page",
            "Profil",
            "URL",
            "Médiane (ms)",
            "p95 (ms)",
            "CPU Django (ms)",
            "Requêtes SQL",
            "dont SQL (ms)",
            "Taille",
            "",
        ]
        out += [_table(headers, rows), ""]
    if jobs:
        out += [f"#### Traitements (objectif : sous {JOB_TARGET_S} s)", ""]
        rows = []
        for job in jobs:
            seconds = job.get("seconds", 0)
            verdict = "✅" if seconds < JOB_TARGET_S else "❌ au-dessus de l'objectif"
            rows.append(
                [
                    job["label"],
                    f"{seconds:.2f}",
                    f"{job['cpu_seconds']:.2f}" if "cpu_seconds" in job else "—",
                    " ; ".join(f"{r:.2f}" for r in job.get("runs", [])),
                    f"{job['load']:.1f}" if "load" in job else "—",
                    verdict,
                ]
            )
        headers = [
            "Traitement",
            "Médiane (s)",
            "CPU Python (s)",
            "Essais (s)",
            "Charge (1 min) à la fin",
            "",
        ]
        out += [_table(headers, rows), ""]
    out += [f"- ⚠️ {line}" for line in skipped]
    return "\n".join(out).rstrip()


def slow_queries(measures: list, plans: dict[str, str]) -> str:
    """The slowest queries of the equipment pages over their target, with their plans (for the
    report under ``var/``, not the doc)."""
    parts = []
    for m in measures:
        if not m.ok or m.median < TARGET_MS:
            continue
        parts.append(f"#### {m.scenario.page} — {m.scenario.who} (`{m.scenario.url}`)")
        for ms, sql in m.slowest:
            parts.append(f"- {ms:.1f} ms : `{sql[:300]}`")
            if plans.get(sql):
                parts.append("\n```\n" + plans[sql] + "\n```")
    if not parts:
        return ""
    return "### Équipement : requêtes des pages au-dessus de l'objectif\n\n" + "\n".join(parts)
