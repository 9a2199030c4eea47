"""CSV and XLSX of the loans: the need declarations, a run's decisions, the loans and the rows
of a dashboard. One column list ``(header, value, width)`` per export, written by the house
writer (``tne.equipment.tabular_exports.response``: core's CSV, streamed row by row, and the
XLSX of the equipment lists).

**No guardian's contact, ever**: the columns below read the pupil's code, class and level, the
needs, the priority, the devices and dates; nothing opens ``GuardianContact`` (its sealed token
is not even selected), and the free text of a return (``return_note``, which a person types)
is left out too."""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from tne.equipment import tabular_exports

from . import priority
from .models import Loan, NeedDeclaration, PriorityWeights, RunDecision
from .selectors.dashboards import Dashboard, Row

CHUNK = 2000


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _date(value):
    return value.date() if hasattr(value, "date") else value


# --- Need declarations -------------------------------------------------------------------------


class WeightsOfSchools:
    """The priority weights of each school: those of its nearest node that has some (its
    commune or circonscription, then the département, the académie, the région, the country),
    else the programme's defaults. All the weights are read once (a few rows), then each school
    is matched on its nodes' paths."""

    def __init__(self):
        self.by_path = {
            row.node.path: priority.Weights.of(row)
            for row in PriorityWeights.objects.select_related("node")
        }
        self._of_school: dict[int, priority.Weights] = {}

    def of(self, school) -> priority.Weights:
        found = self._of_school.get(school.pk)
        if found is None:
            paths = [school.commune.path]
            if school.circonscription_id:
                paths.append(school.circonscription.path)
            best = ""
            for path in paths:
                for known in self.by_path:
                    if path.startswith(known) and len(known) > len(best):
                        best = known
            found = self.by_path.get(best) or priority.Weights()
            self._of_school[school.pk] = found
        return found


def declarations(rows: QuerySet[NeedDeclaration]) -> Iterator[tuple[NeedDeclaration, list]]:
    """Each declaration with the lines of its priority (the weights of its school's node)."""
    weights = WeightsOfSchools()
    items = rows.select_related(
        "pupil__school__commune", "pupil__school__circonscription", "pupil__school_class"
    ).order_by("pupil__school__uai", "pupil__code", "pk")
    for need in items.iterator(chunk_size=CHUNK):
        school = need.pupil.school
        lines = priority.breakdown(
            weights.of(school),
            devices_at_home=need.devices_at_home,
            shared_with=need.shared_with,
            internet_at_home=need.internet_at_home,
            education_network=school.education_network,
            ips=school.ips,
        )
        yield need, lines


DECLARATION_COLUMNS = [
    ("UAI", lambda item: item[0].pupil.school.uai, 11),
    ("École", lambda item: item[0].pupil.school.name, 36),
    ("Code élève", lambda item: item[0].pupil.code, 14),
    (
        "Classe",
        lambda item: item[0].pupil.school_class.name if item[0].pupil.school_class_id else "",
        16,
    ),
    ("Niveau", lambda item: item[0].pupil.level, 9),
    ("Équipement à la maison", lambda item: item[0].get_devices_at_home_display(), 22),
    ("Partagé avec (enfants)", lambda item: item[0].shared_with, 12),
    ("Internet à la maison", lambda item: item[0].get_internet_at_home_display(), 24),
    ("Déclaré le", lambda item: item[0].declared_on, 12),
    ("Priorité", lambda item: priority.score(item[1]), 10),
    ("Détail de la priorité", lambda item: priority.as_text(item[1]), 60),
]


def declarations_response(rows: QuerySet[NeedDeclaration], fmt: str):
    return tabular_exports.response(
        declarations(rows),
        DECLARATION_COLUMNS,
        fmt,
        stem="declarations-besoin",
        sheet="Déclarations",
    )


# --- A run's decisions -------------------------------------------------------------------------


def breakdown_text(lines) -> str:
    """The breakdown a decision kept (a list of ``{"label", "points"}``, or of pairs)."""
    kept = []
    for line in lines or []:
        if isinstance(line, dict):
            kept.append(priority.Line(str(line.get("label", "")), int(line.get("points", 0))))
        elif isinstance(line, list | tuple) and len(line) == 2:
            kept.append(priority.Line(str(line[0]), int(line[1])))
    return priority.as_text(kept)


DECISION_COLUMNS = [
    ("Rang", lambda d: d.rank, 8),
    ("UAI", lambda d: d.school.uai, 11),
    ("École", lambda d: d.school.name, 36),
    ("Code élève", lambda d: d.pupil.code, 14),
    ("Niveau", lambda d: d.pupil.level, 9),
    ("Priorité", lambda d: d.priority, 10),
    ("Détail de la priorité", lambda d: breakdown_text(d.breakdown), 60),
    ("Servi", lambda d: _yes_no(d.served), 8),
    ("Motif", lambda d: d.get_reason_display() if d.reason else "", 32),
]


def decisions_response(rows: QuerySet[RunDecision], fmt: str, *, run_id: int):
    items = rows.select_related("school", "pupil").order_by("rank", "pk").iterator(CHUNK)
    return tabular_exports.response(
        items,
        DECISION_COLUMNS,
        fmt,
        stem=f"decisions-attribution-{run_id}",
        sheet="Décisions",
    )


# --- Loans ------------------------------------------------------------------------------------

LOAN_COLUMNS = [
    ("UAI", lambda loan: loan.school.uai, 11),
    ("École", lambda loan: loan.school.name, 36),
    ("Code élève", lambda loan: loan.pupil.code, 14),
    ("Type de matériel", lambda loan: loan.category.name, 22),
    ("Numéro d'inventaire", lambda loan: loan.asset.asset_tag if loan.asset_id else "", 16),
    ("Modèle", lambda loan: loan.asset.model.name if loan.asset_id else "", 30),
    ("État", lambda loan: loan.get_status_display(), 22),
    ("Proposé le", lambda loan: _date(loan.offered_at), 12),
    ("Accepté le", lambda loan: _date(loan.accepted_at), 12),
    ("Remis le", lambda loan: _date(loan.handed_out_at), 12),
    ("À rendre le", lambda loan: loan.due_on, 12),
    ("Rendu le", lambda loan: _date(loan.returned_at), 12),
    ("Clos le", lambda loan: _date(loan.closed_at), 12),
    ("Issue", lambda loan: loan.get_outcome_display() if loan.outcome else "", 18),
    (
        "État au retour",
        lambda loan: loan.get_return_condition_display() if loan.return_condition else "",
        16,
    ),
]


def loans_response(rows: QuerySet[Loan], fmt: str):
    items = (
        rows.select_related("school", "pupil", "category", "asset__model")
        .order_by("school__uai", "pupil__code", "pk")
        .iterator(CHUNK)
    )
    return tabular_exports.response(items, LOAN_COLUMNS, fmt, stem="prets", sheet="Prêts")


# --- The rows of a dashboard ----------------------------------------------------------------

DASHBOARD_COLUMNS = [
    ("Territoire ou école", lambda r: r.label, 36),
    ("Code", lambda r: r.code, 10),
    ("Besoins déclarés", lambda r: r.figures.needs, 12),
    ("Élèves servis", lambda r: r.figures.served, 12),
    ("En attente", lambda r: r.figures.waiting, 12),
    ("Part des besoins couverts (%)", lambda r: r.figures.percent, 14),
    ("Élèves équipés", lambda r: r.figures.equipped, 12),
    ("Prêts en cours", lambda r: r.figures.active, 12),
    ("En retard", lambda r: r.figures.overdue, 10),
    ("Perdus ou volés", lambda r: r.figures.lost, 10),
    ("Matériels en stock", lambda r: r.figures.stock, 12),
    ("Objectif M6 (élèves)", lambda r: r.target, 12),
    ("Enveloppe M6 (€)", lambda r: r.envelope, 16),
]


def dashboard_rows(board: Dashboard) -> Iterable[Row]:
    """The total first (« Total — Aisne »), then the rows of the table."""
    total = Row(
        label=f"Total — {board.total.label}",
        figures=board.total.figures,
        node=board.total.node,
        target=board.total.target,
        envelope=board.total.envelope,
    )
    return [total, *board.rows]


def dashboard_response(board: Dashboard, fmt: str):
    return tabular_exports.response(
        dashboard_rows(board),
        DASHBOARD_COLUMNS,
        fmt,
        stem="tableau-de-bord-prets",
        sheet="Tableau de bord",
    )
