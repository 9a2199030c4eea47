"""Reads of the programme for the pages, the exports, the API and the dashboard: each starts
from ``.visible_to(user)`` and makes a fixed number of queries, whatever the number of rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum

from tne.core.registry import measure_counters
from tne.core.scope import scope_of
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

from .enums import Unit
from .models import Envelope, Measure, Period, Target, visible_nodes_q
from .perms import EDIT_ENVELOPES, EDIT_TARGETS, VIEW

# The kinds of node that hold targets and envelopes in the forms: the levels of steering. A
# national user is offered these only (the circonscriptions of the country make a long list);
# the others get the circonscriptions of their territory too.
STEERING_KINDS = (NodeKind.COUNTRY, NodeKind.REGION, NodeKind.ACADEMIE, NodeKind.DEPARTEMENT)


def targets_for(user, *, measure=None, node=None, period=None) -> QuerySet[Target]:
    rows = Target.objects.visible_to(user).select_related("measure", "node", "period")
    if measure is not None:
        rows = rows.filter(measure=measure)
    if node is not None:
        rows = rows.filter(node__path__startswith=node.path)
    if period is not None:
        rows = rows.filter(period=period)
    return rows.order_by("measure__order", "node__path", "period__starts_on", "pk")


def envelopes_for(user, *, measure=None, node=None, period=None) -> QuerySet[Envelope]:
    rows = Envelope.objects.visible_to(user).select_related(
        "measure", "node", "period", "parent__node"
    )
    if measure is not None:
        rows = rows.filter(measure=measure)
    if node is not None:
        rows = rows.filter(node__path__startswith=node.path)
    if period is not None:
        rows = rows.filter(period=period)
    return rows.order_by("measure__order", "node__path", "period__starts_on", "pk")


def editable_nodes(user, permission) -> QuerySet[TerritoryNode]:
    """The nodes ``user`` may hold targets (or envelopes) on, in the order of the tree."""
    scope = scope_of(user, permission)
    kinds = STEERING_KINDS if scope.everything else (*STEERING_KINDS, NodeKind.CIRCONSCRIPTION)
    return TerritoryNode.objects.filter(scope.node_q(), kind__in=kinds).order_by("path")


def editable_target_nodes(user) -> QuerySet[TerritoryNode]:
    return editable_nodes(user, EDIT_TARGETS)


def editable_envelope_nodes(user) -> QuerySet[TerritoryNode]:
    return editable_nodes(user, EDIT_ENVELOPES)


def filter_nodes(user) -> QuerySet[TerritoryNode]:
    """The nodes of the filter of the programme page: the steering levels the user reads."""
    scope = scope_of(user, VIEW)
    kinds = STEERING_KINDS if scope.everything else (*STEERING_KINDS, NodeKind.CIRCONSCRIPTION)
    return TerritoryNode.objects.filter(
        visible_nodes_q(user, VIEW, prefix=""), kind__in=kinds
    ).order_by("path")


# --- Dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureProgress:
    """One measure on the dashboard: the target of the user's territory for the period (None
    when none is set) and what is achieved: ``tracked`` when the domain of the measure
    (equipment, loans, training…) registered a counter (``tne.core.registry.measure_counter``),
    whose count is ``achieved``; else 0 and « pas encore suivi », never a count of something
    else."""

    measure: Measure
    period: Period | None
    target: int | None
    unit: str
    achieved: int
    tracked: bool
    envelope: Decimal | None

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label if self.unit else ""


def territory_nodes_q(user) -> Q:
    """The nodes whose figures are the user's territory's (on a model with ``node``): the
    country for a national scope, else the nodes the grants browse from (a coordinator's
    département, an IEN's or a teacher's département, a regional coordinator's région)."""
    scope = scope_of(user, VIEW)
    if scope.everything:
        return Q(node__kind=NodeKind.COUNTRY)
    return Q(node__path__in=list(scope.browse_paths))


def measure_progress(user, *, period: Period | None = None) -> list[MeasureProgress]:
    """Per measure, the sum of the targets and of the envelopes of the user's territory for the
    period (the current one, ``Period.objects.current()``, when not given; envelopes without
    period count too), and what the measures' registered counters count in the user's
    territory: two queries, the period then the measures with their sums as subqueries, and
    those of the counters (one each for equipment's)."""
    if period is None:
        period = Period.objects.current()
    nodes = territory_nodes_q(user)
    targets = Target.objects.filter(nodes, measure=OuterRef("pk"), period=period)
    envelopes = Envelope.objects.filter(
        nodes, Q(period=period) | Q(period__isnull=True), measure=OuterRef("pk")
    )

    def total(rows, field, output):
        summed = rows.order_by().values("measure").annotate(total=Sum(field)).values("total")
        return Subquery(summed, output_field=output)

    measures = Measure.objects.annotate(
        target_total=total(targets, "count", IntegerField()),
        target_unit=Subquery(targets.order_by("pk").values("unit")[:1]),
        envelope_total=total(envelopes, "amount", Envelope._meta.get_field("amount")),
    ).order_by("order", "code")
    counters = measure_counters()
    return [
        MeasureProgress(
            measure=m,
            period=period,
            target=m.target_total,
            unit=m.target_unit or "",
            achieved=counters[m.code](user, None) if m.code in counters else 0,
            tracked=m.code in counters,
            envelope=m.envelope_total,
        )
        for m in measures
    ]
