"""The coordinator's rules: the priority weights of a node of their territory and the quotas of
its schools (minimum and maximum of pupils an allocation serves), one school at a time or from a
CSV file ``uai;minimum;maximum``, all or nothing.

Setting them needs ``loans.set_rules`` with authority over the node (``covers_node``) or the
school (``contains_school``); the pages answer 404 outside the territory and 403 without the
permission. Every change is audited at the node's (or the school's) place."""

from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tne.core.audit import create_audited, delete_audited, update_audited
from tne.core.cells import parse_int
from tne.core.formats import de, fr_typo, plural
from tne.core.models import AuditSource
from tne.core.rowerrors import CellError, ErrorCollector
from tne.core.scope import EVERYTHING, Scope, scope_of
from tne.core.sheets import open_table
from tne.territory.models import School, TerritoryNode

from ..models import PriorityWeights, SchoolQuota
from ..perms import SET_RULES
from ..priority import Weights
from ..selectors.rules import de_node, schools_under_q

WEIGHT_FIELDS = tuple(f.name for f in fields(Weights))
POINT_FIELDS = tuple(name for name in WEIGHT_FIELDS if name != "ips_threshold")
MAX_POINTS = 1000
CHUNK = 5000


def _require_node(actor, node: TerritoryNode) -> None:
    if actor is not None and not scope_of(actor, SET_RULES).covers_node(node):
        raise PermissionDenied(f"Vous ne réglez pas les règles des prêts {de_node(node)}.")


def _require_school(actor, school: School) -> None:
    if actor is not None and not scope_of(actor, SET_RULES).contains_school(school):
        raise PermissionDenied(f"Vous ne réglez pas les quotas {de(school.name)}.")


def check_weights(values: dict) -> dict:
    """The weights as stored (points: integers 0 to 1000; IPS threshold: 0 to 200, one
    decimal); ``ValidationError`` by field otherwise."""
    errors, clean = {}, {}
    for name in POINT_FIELDS:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POINTS:
            errors[name] = f"Un nombre entier de points, de 0 à {MAX_POINTS}."
        else:
            clean[name] = value
    threshold = values.get("ips_threshold")
    try:
        threshold = Decimal(str(threshold)).quantize(Decimal("0.1"))
        if not Decimal("0") <= threshold <= Decimal("200"):
            raise ValueError
        clean["ips_threshold"] = threshold
    except (ValueError, ArithmeticError):
        errors["ips_threshold"] = fr_typo("Un IPS de 0 à 200 (une décimale au plus, « 90,5 »).")
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def set_weights(
    *, node: TerritoryNode, values: dict, actor, source: str = AuditSource.UI
) -> PriorityWeights:
    """The weights of ``node`` (created or changed): they apply to its schools that have no
    nearer weights."""
    _require_node(actor, node)
    clean = check_weights(values)
    row = PriorityWeights.objects.select_for_update().filter(node=node).first()
    if row is None:
        return create_audited(
            PriorityWeights(node=node, updated_by=actor, **clean), actor=actor, source=source
        )
    update_audited(row, {**clean, "updated_by": actor}, actor=actor, source=source)
    return row


@transaction.atomic
def reset_weights(*, node: TerritoryNode, actor, source: str = AuditSource.UI) -> bool:
    """Removes the weights of ``node``: its schools use the nearest ones above it (or the
    programme's). False when it had none."""
    _require_node(actor, node)
    row = PriorityWeights.objects.select_for_update().filter(node=node).first()
    if row is None:
        return False
    delete_audited(row, actor=actor, source=source)
    return True


def check_quota(minimum: int | None, maximum: int | None) -> dict[str, str]:
    errors = {}
    if minimum is None or minimum < 0:
        errors["minimum"] = "un nombre entier d'élèves, 0 ou plus."
    if maximum is not None and maximum < 0:
        errors["maximum"] = "un nombre entier d'élèves, 0 ou plus, ou vide pour aucun maximum."
    elif maximum is not None and minimum is not None and maximum < minimum:
        errors["maximum"] = f"le maximum ({maximum}) est sous le minimum ({minimum})."
    return errors


def _write_quota(school: School, minimum: int, maximum: int | None, actor, source) -> str:
    """Creates, changes or removes (0 and no maximum: no quota) the quota of ``school``;
    returns "created", "updated", "removed" or "unchanged"."""
    row = SchoolQuota.objects.select_for_update().filter(school=school).first()
    if minimum == 0 and maximum is None:
        if row is None:
            return "unchanged"
        delete_audited(row, actor=actor, source=source)
        return "removed"
    if row is None:
        create_audited(
            SchoolQuota(school=school, minimum=minimum, maximum=maximum, updated_by=actor),
            actor=actor,
            source=source,
        )
        return "created"
    if (row.minimum, row.maximum) == (minimum, maximum):
        return "unchanged"
    update_audited(
        row,
        {"minimum": minimum, "maximum": maximum, "updated_by": actor},
        actor=actor,
        source=source,
    )
    return "updated"


@transaction.atomic
def set_quota(
    *,
    school: School,
    minimum: int,
    maximum: int | None,
    actor,
    source: str = AuditSource.UI,
) -> SchoolQuota | None:
    """The quota of ``school`` (a minimum of 0 and no maximum removes it: ``None``)."""
    _require_school(actor, school)
    errors = check_quota(minimum, maximum)
    if errors:
        raise ValidationError({k: fr_typo(v[:1].upper() + v[1:]) for k, v in errors.items()})
    _write_quota(school, minimum, maximum, actor, source)
    return SchoolQuota.objects.filter(school=school).first()


# --- CSV files of quotas ---------------------------------------------------------------------

KIND = "loans.quotas"
LABEL = "Quotas des écoles (prêts M6)"
UAI, MINIMUM, MAXIMUM = "uai", "minimum", "maximum"
COLUMNS = (UAI, MINIMUM, MAXIMUM)
EXAMPLE_ROWS = [["0021234A", "2", "15"], ["0025678B", "0", "8"], ["0029012C", "5", ""]]


@dataclass(frozen=True)
class QuotaLine:
    line: int
    school: School
    minimum: int
    maximum: int | None
    current: tuple[int, int | None] | None

    @property
    def outcome(self) -> str:
        if self.minimum == 0 and self.maximum is None:
            return "removed" if self.current is not None else "unchanged"
        if self.current is None:
            return "created"
        return "unchanged" if self.current == (self.minimum, self.maximum) else "updated"


@dataclass
class QuotasCheck:
    label: str
    lines: list[QuotaLine]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("created", "updated", "removed", "unchanged"), 0)
        for line in self.lines:
            counts[line.outcome] += 1
        return counts

    def sentence(self) -> str:
        counts = self.counts()
        return ", ".join(
            [
                plural(counts["created"], "quota créé|quotas créés"),
                plural(counts["updated"], "quota modifié|quotas modifiés"),
                plural(counts["removed"], "quota retiré|quotas retirés"),
                plural(counts["unchanged"], "inchangé|inchangés"),
            ]
        )


def _count(value: str) -> int | None:
    number = parse_int(value, minimum=0)
    if number is not None and number > 100_000:
        raise CellError(f"{number} élèves : 100 000 au plus.")
    return number


def check_quotas_file(
    path: str | Path, *, label: str, scope: Scope = EVERYTHING, node: TerritoryNode | None = None
) -> QuotasCheck:
    """Reads and checks a whole file ``uai;minimum;maximum`` (an empty minimum is 0, an empty
    maximum is none): each school in ``scope`` (and under ``node``), once. Raises
    :class:`ImportFileError` with every error by line and column; writes nothing."""
    table = open_table(path, label=label)
    table.header = [name.strip().lower() for name in table.header]
    table.require(COLUMNS)
    errors = ErrorCollector(label)
    rows = []
    for line, raw in table.rows(errors.add):
        cells = {key: (value or "").strip() for key, value in raw.items()}
        if not any(cells.values()):
            continue
        parsed = {}
        for column in (MINIMUM, MAXIMUM):
            try:
                parsed[column] = _count(cells[column])
            except CellError as exc:
                errors.add(line, column, str(exc))
        rows.append((line, cells[UAI].upper(), parsed))
    schools_q = scope.school_q()
    if node is not None:
        schools_q &= schools_under_q(node)
    uais = sorted({uai for _, uai, _ in rows if uai})
    schools, current = {}, {}
    for start in range(0, len(uais), CHUNK):  # SQLite caps the variables of one query.
        found = list(School.objects.filter(schools_q, uai__in=uais[start : start + CHUNK]))
        schools.update((s.uai, s) for s in found)
        current.update(
            (q.school_id, (q.minimum, q.maximum))
            for q in SchoolQuota.objects.filter(school__in=[s.pk for s in found])
        )
    seen: dict[str, int] = {}
    lines = []
    where = f" ({node})" if node is not None else ""
    for line, uai, parsed in rows:
        school = schools.get(uai)
        if not uai:
            errors.add(line, UAI, "indiquez l'UAI de l'école.")
        elif school is None:
            errors.add(line, UAI, f"aucune école de votre territoire{where} n'a l'UAI « {uai} ».")
        elif uai in seen:
            errors.add(line, UAI, f"même école qu'à la ligne {seen[uai]}.")
        seen.setdefault(uai, line)
        if MINIMUM not in parsed or MAXIMUM not in parsed or school is None:
            continue
        minimum = parsed[MINIMUM] or 0
        for name, message in check_quota(minimum, parsed[MAXIMUM]).items():
            errors.add(line, name, message)
        lines.append(QuotaLine(line, school, minimum, parsed[MAXIMUM], current.get(school.pk)))
    errors.raise_if_any()
    if not lines:
        errors.add(None, None, "le fichier n'a aucune ligne à importer après son en-tête.")
        errors.raise_if_any()
    return QuotasCheck(label=label, lines=lines)


@transaction.atomic
def import_quotas_file(
    path: str | Path,
    *,
    label: str,
    actor,
    node: TerritoryNode | None = None,
    source: str = AuditSource.IMPORT,
) -> QuotasCheck:
    """Checks the file again (in the actor's ``loans.set_rules`` scope) and writes every quota,
    or none."""
    scope = EVERYTHING if actor is None else scope_of(actor, SET_RULES)
    if actor is not None and scope.is_empty:
        raise PermissionDenied("Vous ne réglez pas les quotas des écoles.")
    check = check_quotas_file(path, label=label, scope=scope, node=node)
    for line in check.lines:
        _write_quota(line.school, line.minimum, line.maximum, actor, source)
    return check


def run_quotas_file(path, *, label=None, dry_run=False, progress=None) -> str:
    """``tne import FILE`` for a file of quotas: the sentence it prints."""
    with transaction.atomic():
        check = import_quotas_file(
            path, label=label or Path(path).name, actor=None, source=AuditSource.CLI
        )
        if dry_run:
            transaction.set_rollback(True)
    return check.sentence() + (" (simulation)." if dry_run else ".")
