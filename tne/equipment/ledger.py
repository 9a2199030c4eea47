"""The budget ledger of a measure on a node of the territory: for the node and for each node
below it holding an envelope of the measure, one row of

- **envelope**: the amount of the measure's envelopes held by the node;
- **split**: the parts of them split to envelopes of nodes below;
- **committed**: the totals of the committed orders charged to its envelopes;
- **spent**: the invoices of those orders;
- **remaining**: envelope − split − committed (what an order may still commit there, the figure
  ``services.orders.commit_order`` checks);
- **cost per beneficiary**: what is committed in the node's whole subtree (its own orders and
  those of the nodes below) divided by the beneficiaries there: for M4 and M5 the equipped
  classes (classes with an allocation of the measure in service), for M7 the new teachers whose
  kit is in service (handed over); ``None`` when there is none.

Five aggregate queries whatever the data (envelopes, parts, commitments, invoices,
beneficiaries), each grouped by node; the subtree sums are added up in Python over the rows'
materialised paths. Only aggregates: an evaluator reads them, never a person."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from tne.core.scope import scope_of
from tne.programme.models import Envelope, Measure
from tne.territory.models import TerritoryNode

from .enums import AllocationStatus, OrderStatus
from .models import Allocation, Invoice, Order
from .perms import VIEW_PROGRESS

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Which School column says a school is under a node of each kind.
SCHOOL_LOOKUP = {
    "REGION": "school__region_id",
    "ACADEMIE": "school__academie_id",
    "DEPARTEMENT": "school__departement_id",
    "CIRCONSCRIPTION": "school__circonscription_id",
    "COMMUNE": "school__commune_id",
}
# The measures whose beneficiaries are teachers (M7); the others count equipped classes.
TEACHER_MEASURES = {"M7"}


@dataclass
class LedgerRow:
    node: TerritoryNode
    amount: Decimal = ZERO
    split: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    subtree_committed: Decimal = ZERO
    subtree_spent: Decimal = ZERO
    beneficiaries: int = 0
    is_self: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.split - self.committed

    @property
    def cost_per_beneficiary(self) -> Decimal | None:
        if not self.beneficiaries:
            return None
        return (self.subtree_committed / self.beneficiaries).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Ledger:
    measure: Measure
    node: TerritoryNode
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def own(self) -> LedgerRow:
        return self.rows[0]

    @property
    def below(self) -> list[LedgerRow]:
        return self.rows[1:]

    @property
    def beneficiary_label(self) -> str:
        return beneficiary_label(self.measure)


def beneficiary_label(measure: Measure) -> str:
    return "nouvel enseignant équipé" if measure.code in TEACHER_MEASURES else "classe équipée"


def ledger_nodes(user):
    """The nodes whose ledger ``user`` reads: those of their authority (``VIEW_PROGRESS``)."""
    return TerritoryNode.objects.filter(scope_of(user, VIEW_PROGRESS).node_q())


def default_node(user) -> TerritoryNode | None:
    """The user's own node: the highest node of their authority (the country for national)."""
    scope = scope_of(user, VIEW_PROGRESS)
    if scope.everything:
        return TerritoryNode.objects.filter(parent__isnull=True).order_by("path").first()
    if not scope.authority_paths:
        return None
    return (
        TerritoryNode.objects.filter(path__in=scope.authority_paths)
        .order_by("depth", "path")
        .first()
    )


def _cents(value) -> Decimal:
    """A sum as the database gives it (SQLite drops the decimals) to the cent."""
    return Decimal(value or 0).quantize(CENT)


def _in_subtree(path: str, paths) -> list[str]:
    return [p for p in paths if p.startswith(path)]


def ledger_for(*, measure: Measure, node: TerritoryNode) -> Ledger:
    """The ledger of ``measure`` at ``node`` and the nodes below holding its envelopes (the
    caller has checked the node is readable: :func:`ledger_nodes`)."""
    subtree = Q(node__path__startswith=node.path)
    envelopes = list(
        Envelope.objects.filter(subtree, measure=measure)
        .values("node_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    amounts = {row["node_id"]: row["amount"] for row in envelopes}
    splits = dict(
        Envelope.objects.filter(
            measure=measure, parent__isnull=False, parent__node__path__startswith=node.path
        )
        .values("parent__node_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("parent__node_id", "s")
    )
    committed = dict(
        Order.objects.filter(
            status=OrderStatus.COMMITTED,
            envelope__measure=measure,
            envelope__node__path__startswith=node.path,
        )
        .values("envelope__node_id")
        .annotate(s=Sum("total"))
        .order_by()
        .values_list("envelope__node_id", "s")
    )
    spent = dict(
        Invoice.objects.filter(
            order__envelope__measure=measure,
            order__envelope__node__path__startswith=node.path,
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("order__envelope__node_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("order__envelope__node_id", "s")
    )
    node_ids = (set(amounts) | set(committed) | set(spent)) - {node.pk}
    nodes = {node.pk: node}
    if node_ids:
        nodes.update(TerritoryNode.objects.in_bulk(node_ids))
    rows = [LedgerRow(node=node, is_self=True)] + [
        LedgerRow(node=n) for n in sorted(nodes.values(), key=lambda n: n.path) if n.pk != node.pk
    ]
    amounts, splits, committed, spent = (
        {pk: _cents(value) for pk, value in figures.items()}
        for figures in (amounts, splits, committed, spent)
    )
    for row in rows:
        pk = row.node.pk
        row.amount = amounts.get(pk, ZERO)
        row.split = splits.get(pk, ZERO)
        row.committed = committed.get(pk, ZERO)
        row.spent = spent.get(pk, ZERO)
    by_path = {n.path: n.pk for n in nodes.values()}
    for row in rows:
        inside = [by_path[p] for p in _in_subtree(row.node.path, by_path)]
        row.subtree_committed = sum((committed.get(pk, ZERO) for pk in inside), ZERO)
        row.subtree_spent = sum((spent.get(pk, ZERO) for pk in inside), ZERO)
    _count_beneficiaries(measure, rows)
    return Ledger(measure=measure, node=node, rows=rows)


def _count_beneficiaries(measure: Measure, rows: list[LedgerRow]) -> None:
    """One aggregate query: a filtered count per row."""
    teachers = measure.code in TEACHER_MEASURES
    base = Allocation.objects.filter(measure=measure, status=AllocationStatus.IN_SERVICE)
    counted = "staff" if teachers else "school_class"
    base = base.filter(**{f"{counted}__isnull": False})
    aggregates = {}
    for i, row in enumerate(rows):
        lookup = SCHOOL_LOOKUP.get(row.node.kind)
        condition = None if lookup is None else Q(**{lookup: row.node.pk})
        aggregates[f"n{i}"] = Count(counted, filter=condition, distinct=True)
    counts = base.aggregate(**aggregates) if aggregates else {}
    for i, row in enumerate(rows):
        row.beneficiaries = counts.get(f"n{i}", 0) or 0
