"""Reads of the deployments for the pages, the exports and the API: campaigns with their counts
per step, the allocations in scope with their filters, the progress of a measure per territory
node (read from the per-school tallies, never by counting allocations) and a school's equipment.
Each makes a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from tne.core.formats import fr_number
from tne.core.scope import scope_of
from tne.programme.models import Measure, Period, Target
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .enums import AllocationStatus
from .models import Allocation, Campaign, SchoolTally
from .perms import VIEW, VIEW_PROGRESS

# The steps shown as columns, in order (cancelled and returned are not progress).
STEPS = (
    AllocationStatus.PLANNED,
    AllocationStatus.ORDERED,
    AllocationStatus.DELIVERED,
    AllocationStatus.INSTALLED,
    AllocationStatus.IN_SERVICE,
)
LIVE = STEPS
# The steps that count once an allocation has reached them (« livrées » includes installed…).
REACHED = {step: STEPS[i:] for i, step in enumerate(STEPS)}
# The School column of each kind of node, for the rows under a node.
SCHOOL_FIELD = {
    NodeKind.REGION: "region_id",
    NodeKind.ACADEMIE: "academie_id",
    NodeKind.DEPARTEMENT: "departement_id",
    NodeKind.COMMUNE: "commune_id",
    NodeKind.CIRCONSCRIPTION: "circonscription_id",
}
# The rows under each kind of node (the brief of the dashboard: départements under the country,
# communes or circonscriptions under a département).
CHILD_KINDS = {
    NodeKind.COUNTRY: (NodeKind.DEPARTEMENT,),
    NodeKind.REGION: (NodeKind.DEPARTEMENT,),
    NodeKind.ACADEMIE: (NodeKind.DEPARTEMENT,),
    NodeKind.DEPARTEMENT: (NodeKind.COMMUNE, NodeKind.CIRCONSCRIPTION),
    NodeKind.COMMUNE: (),
    NodeKind.CIRCONSCRIPTION: (),
}


# The columns of SchoolTally that copy the school's places (no join to School to sum them).
TALLY_FIELD = {
    NodeKind.DEPARTEMENT: "departement_id",
    NodeKind.COMMUNE: "commune_id",
    NodeKind.CIRCONSCRIPTION: "circonscription_id",
}


def tallies_under(node: TerritoryNode) -> Q:
    if node.kind == NodeKind.COUNTRY:
        return Q()
    if node.kind in TALLY_FIELD:
        return Q(**{TALLY_FIELD[node.kind]: node.pk})
    return Q(**{f"school__{SCHOOL_FIELD[node.kind]}": node.pk})


def step_counts(rows: QuerySet[Allocation]) -> dict[str, int]:
    """The allocations of ``rows`` per step (every step present, 0 when none): one query."""
    counts = dict.fromkeys(AllocationStatus.values, 0)
    for status, n in rows.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts


def campaigns_for(user) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user, VIEW).select_related("measure", "kit", "node")


def allocations_for(
    user,
    *,
    campaign: Campaign | None = None,
    status: str = "",
    measure: Measure | None = None,
    school: str = "",
    commune: TerritoryNode | None = None,
) -> QuerySet[Allocation]:
    """The allocations ``user`` reads (``equipment.view`` on their schools), filtered."""
    rows = Allocation.objects.visible_to(user, VIEW)
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    if status:
        rows = rows.filter(status=status)
    if measure is not None:
        rows = rows.filter(measure=measure)
    if school:
        text = school.strip()
        rows = rows.filter(Q(school__uai__iexact=text) | Q(school__name__icontains=text))
    if commune is not None:
        rows = rows.filter(school__commune=commune)
    return rows.select_related(
        "campaign", "kit", "measure", "school__commune", "school_class", "order"
    ).order_by("school__uai", "school_class__name", "pk")


# --- Progress --------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    node: TerritoryNode | None
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    target: int | None = None
    # Under a commune or a circonscription (no child node), a row per school.
    school_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.get(step, 0) for step in STEPS)

    def reached(self, step: str) -> int:
        return sum(self.counts.get(s, 0) for s in REACHED[step])

    @property
    def step_cells(self) -> list[int]:
        return [self.counts.get(step, 0) for step in STEPS]

    @property
    def shown_cells(self) -> list[str]:
        """The counts at each step as the page writes them (« 1 234 »), formatted here: the
        template of a département's 800 communes would spend most of its time in ``intcomma``."""
        return [fr_number(n) for n in self.step_cells]

    @property
    def percent_text(self) -> str:
        """« 42 » (a string: the template does not localise it again), or "" without base."""
        percent = self.percent
        return "" if percent is None else str(percent)

    @property
    def node_id_text(self) -> str:
        return str(self.node.pk) if self.node is not None else ""

    @property
    def target_text(self) -> str:
        return "—" if self.target is None else fr_number(self.target)

    @property
    def in_service(self) -> int:
        return self.counts.get(AllocationStatus.IN_SERVICE, 0)

    @property
    def share(self) -> float | None:
        """The share of the target in service (of the allocations without a target), 0 to 1."""
        base = self.target or self.total
        return min(self.in_service / base, 1.0) if base else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


@dataclass
class Progress:
    measure: Measure
    node: TerritoryNode
    period: Period | None
    total: ProgressRow
    rows: list[ProgressRow]
    child_kind: str


def progress_nodes(user) -> QuerySet[TerritoryNode]:
    """The nodes whose progress ``user`` may ask: those they browse (their département for an
    IEN or a school head, the country for national steering), down to communes."""
    scope = scope_of(user, VIEW_PROGRESS)
    return TerritoryNode.objects.filter(scope.browse_q() | scope.node_q())


def default_node(user) -> TerritoryNode | None:
    scope = scope_of(user, VIEW_PROGRESS)
    if scope.everything:
        return TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).first()
    return progress_nodes(user).order_by("depth", "path").first()


def measure_progress(
    user, *, measure: Measure, node: TerritoryNode, child_kind: str = "", schools: bool = False
) -> Progress:
    """The allocations of ``measure`` at each step under ``node``, in total and per child node,
    with the programme's targets of the current period: read from the tallies of the schools
    the user reads (``equipment.view_progress``), summed per child node in the database. Four
    queries: the period, the sums per child and step, the child nodes, the targets. Under a node
    with no child level (a commune, a circonscription) and with ``schools``, a row per school
    instead (for those who read the schools' equipment, not for an evaluator)."""
    scope = scope_of(user, VIEW_PROGRESS)
    kinds = CHILD_KINDS[node.kind]
    child_kind = child_kind if child_kind in kinds else (kinds[0] if kinds else "")
    tallies = SchoolTally.objects.filter(
        scope.school_q_copied(TALLY_FIELD.values()), tallies_under(node), measure=measure
    )
    period = Period.objects.current()
    total = ProgressRow(node=node, label=str(node))
    rows: dict[int, ProgressRow] = {}
    if child_kind:
        column = TALLY_FIELD.get(child_kind) or f"school__{SCHOOL_FIELD[child_kind]}"
        sums = tallies.order_by().values_list(column, "status").annotate(n=Sum("count"))
        for child_id, status, n in sums:
            total.counts[status] = total.counts.get(status, 0) + n
            if child_id is not None:
                row = rows.setdefault(child_id, ProgressRow(node=None, label=""))
                row.counts[status] = row.counts.get(status, 0) + n
        # Every child node the user browses (0 when nothing is allocated there yet), and those
        # where the schools they read have allocations.
        children = {
            n.pk: n
            for n in TerritoryNode.objects.filter(
                Q(pk__in=list(rows)) | scope.browse_q() | scope.node_q(),
                kind=child_kind,
                path__startswith=node.path,
            )
        }
    elif schools:
        # The finest level: a row per school.
        sums = tallies.order_by().values_list("school_id", "status").annotate(n=Sum("count"))
        for school_id, status, n in sums:
            total.counts[status] = total.counts.get(status, 0) + n
            row = rows.setdefault(-school_id, ProgressRow(node=None, label="", school_id=school_id))
            row.counts[status] = row.counts.get(status, 0) + n
        if rows:
            for pk, name, uai in School.objects.filter(
                pk__in=[r.school_id for r in rows.values()]
            ).values_list("pk", "name", "uai"):
                rows[-pk].label = f"{name} ({uai})"
        children = {}
    else:
        for status, n in tallies.order_by().values_list("status").annotate(n=Sum("count")):
            total.counts[status] = n
        children = {}
    for pk, child in children.items():
        row = rows.setdefault(pk, ProgressRow(node=None, label=""))
        row.node, row.label = child, str(child)
    targets = {}
    if period is not None:
        targets = dict(
            Target.objects.filter(measure=measure, period=period, node_id__in=[node.pk, *children])
            .order_by()  # the default ordering would join the measure, node and period
            .values_list("node_id", "count")
        )
    total.target = targets.get(node.pk)
    for pk, row in rows.items():
        if row.school_id is None:
            row.target = targets.get(pk)
    shown = sorted(
        (r for r in rows.values() if r.node is not None or r.school_id is not None),
        key=lambda r: r.label,
    )
    return Progress(
        measure=measure, node=node, period=period, total=total, rows=shown, child_kind=child_kind
    )


def equipped_count(user, *, measure_code: str, node: TerritoryNode | None = None) -> int:
    """What the programme's dashboard counts for a measure: its classes (M4, M5) or teachers
    (M7) whose allocation is in service, in the schools ``user`` reads
    (``equipment.view_progress``) under ``node``. Read from the same tallies as the progress
    dashboards, which count those units only (``services/tallies.py``), so the two always
    agree: one query."""
    scope = scope_of(user, VIEW_PROGRESS)
    rows = SchoolTally.objects.filter(
        scope.school_q_copied(TALLY_FIELD.values()),
        measure__code=measure_code,
        status=AllocationStatus.IN_SERVICE,
    )
    if node is not None:
        rows = rows.filter(tallies_under(node))
    return rows.aggregate(n=Sum("count"))["n"] or 0


def schools_in(node: TerritoryNode) -> QuerySet[School]:
    if node.kind == NodeKind.COUNTRY:
        return School.objects.all()
    return School.objects.filter(**{SCHOOL_FIELD[node.kind]: node.pk})
