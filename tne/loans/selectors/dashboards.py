"""Reads of the loans dashboards (measure M6): per school, commune, circonscription,
département, académie or the country, the declared needs, the pupils served, those waiting, the
loans active, overdue, lost or stolen, the devices of the lent kinds in stock, the share of the
needs covered, the cost to date against the M6 envelope and the programme's target; a row per
child node (or per school under a commune). Aggregates only: no pupil, no contact.

Every figure is a ``GROUP BY`` in the database over a row per school (the tallies the services
keep, :class:`~tne.loans.models.SchoolLoanTally`), the loans overdue and the devices in stock
read from their indexes, so a dashboard makes the same handful of queries whatever the number of
loans (a département at 500,000 loans: see ``docs/benchmarks.md``). The figures are those of
the schools where the reader holds ``loans.view_dashboard`` (per grant: a role elsewhere adds
nothing here)."""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from tne.core.scope import Scope, scope_of
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.programme.models import Envelope, Period, Target
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from ..enums import HANDED_OUT_STATUSES as HANDED_OUT
from ..enums import LoanStatus
from ..models import Loan, SchoolLoanTally
from ..perms import VIEW, VIEW_DASHBOARD

MEASURE = "M6"
# The kinds of device lent to families (equipment categories): their devices in stock are what
# the schools and the départements can still lend.
LENT_CATEGORIES = ("tablet", "laptop", "router-4g")
CENT = Decimal("0.01")

# The School column of each kind of node.
SCHOOL_FIELD = {
    NodeKind.REGION: "region_id",
    NodeKind.ACADEMIE: "academie_id",
    NodeKind.DEPARTEMENT: "departement_id",
    NodeKind.COMMUNE: "commune_id",
    NodeKind.CIRCONSCRIPTION: "circonscription_id",
}
# The rows under each kind of node: départements under the country, a région or an académie;
# communes (or circonscriptions) under a département; schools under a commune or a
# circonscription.
CHILD_KINDS = {
    NodeKind.COUNTRY: (NodeKind.DEPARTEMENT,),
    NodeKind.REGION: (NodeKind.DEPARTEMENT,),
    NodeKind.ACADEMIE: (NodeKind.DEPARTEMENT,),
    NodeKind.DEPARTEMENT: (NodeKind.COMMUNE, NodeKind.CIRCONSCRIPTION),
    NodeKind.COMMUNE: (),
    NodeKind.CIRCONSCRIPTION: (),
}


# The counts of a row, summed into the total; those the schools' tallies keep.
SUMMED = ("needs", "served", "equipped", "active", "overdue", "lost", "stock")
TALLIED = ("needs", "served", "equipped", "active", "lost")


@dataclass
class Figures:
    """The counts of one row. ``served`` and ``equipped`` count pupils (a pupil lent a tablet
    and a 4G router counts once), the loans counts loans."""

    needs: int = 0
    served: int = 0
    equipped: int = 0
    active: int = 0
    overdue: int = 0
    lost: int = 0
    stock: int = 0

    def add(self, other: "Figures") -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def waiting(self) -> int:
        """The pupils with a declared need and no offer yet (needs − served)."""
        return max(self.needs - self.served, 0)

    @property
    def share(self) -> float | None:
        """The share of the declared needs covered by an offer or a loan, 0 to 1."""
        return min(self.served / self.needs, 1.0) if self.needs else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    @property
    def is_empty(self) -> bool:
        return not (self.needs or self.served or self.active or self.lost or self.stock)


@dataclass
class Row:
    label: str
    figures: Figures = field(default_factory=Figures)
    node: TerritoryNode | None = None
    school_id: int | None = None
    target: int | None = None
    envelope: Decimal | None = None

    @property
    def code(self) -> str:
        return self.node.code if self.node is not None else ""

    @property
    def target_percent(self) -> int | None:
        """The pupils equipped as a share of the target (capped at 100)."""
        if not self.target:
            return None
        return min(round(self.figures.equipped * 100 / self.target), 100)


@dataclass(frozen=True)
class Cost:
    """What the devices lent so far cost: each at its order line's unit price, or, for a device
    entered without an order (an inventory taken over), at its category's reference price;
    ``unpriced`` devices have neither and count for nothing."""

    total: Decimal = Decimal("0")
    devices: int = 0
    from_order_lines: int = 0
    from_reference: int = 0
    unpriced: int = 0


@dataclass(frozen=True)
class EnvelopeFigures:
    """The M6 envelope of the node: its amount, the part of it split among the nodes below."""

    amount: Decimal
    split: Decimal
    note: str = ""

    def remaining(self, cost: Cost) -> Decimal:
        return self.amount - cost.total

    def percent_spent(self, cost: Cost) -> int:
        return round(cost.total * 100 / self.amount) if self.amount else 0


@dataclass
class Dashboard:
    node: TerritoryNode
    school: School | None
    period: Period | None
    total: Row
    rows: list[Row]
    child_kind: str
    cost: Cost
    envelope: EnvelopeFigures | None
    # Whether the rows are schools (under a commune or a circonscription).
    school_rows: bool = False
    # The schools of the total that the rows do not name (the reader does not hold
    # ``loans.view`` there): their figures are in the total only.
    hidden_schools: bool = False


# --- Which nodes and schools ---------------------------------------------------------------


def dashboard_nodes(user) -> QuerySet[TerritoryNode]:
    """The nodes whose dashboard ``user`` may ask: those they browse (their département for a
    school head or an IEN) and those of their grants' subtrees."""
    scope = scope_of(user, VIEW_DASHBOARD)
    return TerritoryNode.objects.filter(scope.browse_q() | scope.node_q())


def dashboard_schools(user) -> QuerySet[School]:
    return School.objects.filter(scope_of(user, VIEW_DASHBOARD).school_q())


def default_place(user) -> tuple[TerritoryNode | None, School | None]:
    """Where the dashboard opens: the country for national steering, the highest node of the
    grants (a coordinator's département, an IEN's circonscription), else the school of a school
    head."""
    scope = scope_of(user, VIEW_DASHBOARD)
    if scope.everything:
        return TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).first(), None
    node = TerritoryNode.objects.filter(scope.node_q()).order_by("depth", "path").first()
    if node is not None:
        return node, None
    school = dashboard_schools(user).select_related("commune").order_by("name", "pk").first()
    return None, school


def _under(node: TerritoryNode, prefix: str) -> Q:
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(**{f"{prefix}{SCHOOL_FIELD[node.kind]}": node.pk})


def _reach(scope: Scope, node: TerritoryNode, *, tallies: bool = False) -> Q:
    """The schools under ``node`` that the reader holds, on a model reaching School by
    ``school`` (or, ``tallies``, on the schools' tallies, by the places they copy: no join to the
    schools): the node's own filter alone when one of the grants is that very node (a
    coordinator's département: the same condition twice would only blur PostgreSQL's
    estimates), else both."""
    under = _under(node, "" if tallies else "school__")
    if (SCHOOL_FIELD.get(node.kind), node.pk) in scope.school_grants:
        return under
    held = scope.school_q_copied(SchoolLoanTally.PLACES) if tallies else scope.school_q("school__")
    return held & under


def _tally_key(key: str | None) -> str | None:
    return None if key is None else ("school_id" if key == "pk" else key)


# --- The figures ----------------------------------------------------------------------------


def _tallied(tallies: QuerySet[SchoolLoanTally], key: str | None):
    """The schools' tallies summed per ``key`` (a column reached from the tally; None: one
    row): the needs, the pupils served and equipped, the loans active and lost. One query on
    a row per school."""
    sums = {name: Sum(name) for name in TALLIED}
    tallies = tallies.order_by()
    if key is None:
        return [(None, tallies.aggregate(**sums))]
    return [(row.pop("key"), row) for row in tallies.values(key=F(key)).annotate(**sums)]


def _count_by(rows: QuerySet, key: str | None, counted: str = "pk") -> list[tuple[object, int]]:
    """The rows per ``key`` (None: all of them), counting ``counted`` (a column an index holds,
    so that PostgreSQL counts from the index alone)."""
    rows = rows.order_by()
    if key is None:
        return [(None, rows.aggregate(n=Count(counted))["n"])]
    return list(rows.values_list(F(key)).annotate(n=Count(counted)).order_by())


def _stock(scope: Scope, *, node: TerritoryNode | None, school: School | None, key: str | None):
    """The devices of the lent kinds in stock: at the schools of the scope under the node (per
    ``key``), and, for a node, those kept in the stock of a node of its subtree that the reader
    holds authority over (the département's store: in the total only, under the key None). Two
    queries, each on an index of the register (in stock per school and model; stock node, state)."""
    lent = Asset.objects.filter(
        state=AssetState.IN_STOCK, model__category__code__in=LENT_CATEGORIES
    )
    if school is not None:
        return _count_by(lent.filter(school=school), None, counted="school_id")
    at_schools = lent.filter(_reach(scope, node))
    stores = TerritoryNode.objects.filter(scope.node_q(), path__startswith=node.path)
    in_stores = lent.filter(school__isnull=True, stock_node_id__in=stores.values("pk"))
    return [*_count_by(at_schools, key, counted="school_id"), *_count_by(in_stores, None)]


def figures_by(
    user,
    *,
    node: TerritoryNode | None = None,
    school: School | None = None,
    key: str | None = None,
    today: datetime.date | None = None,
) -> dict[object, Figures]:
    """The figures of the schools ``user`` reads (``loans.view_dashboard``) under ``node`` (or of
    one ``school``), per value of ``key`` (a column of School: ``"commune_id"``, ``"pk"``; None:
    one row, under the key None). Four queries: the schools' tallies, the loans overdue, the
    stock at the schools and in the stores."""
    today = today or timezone.localdate()
    scope = scope_of(user, VIEW_DASHBOARD)
    where = Q(school=school) if school is not None else _reach(scope, node)
    tallied = Q(school=school) if school is not None else _reach(scope, node, tallies=True)
    by_key: dict[object, Figures] = {}

    def figures(value) -> Figures:
        return by_key.setdefault(value, Figures())

    loan_key = None if key is None else ("school_id" if key == "pk" else f"school__{key}")
    for value, counts in _tallied(SchoolLoanTally.objects.filter(tallied), _tally_key(key)):
        row = figures(value)
        for name, n in counts.items():
            setattr(row, name, n or 0)
    overdue = Loan.objects.filter(where, status=LoanStatus.ACTIVE, due_on__lt=today)
    for value, n in _count_by(overdue, loan_key, counted="school_id"):
        figures(value).overdue = n
    stock_key = None if key is None else loan_key
    for value, n in _stock(scope, node=node, school=school, key=stock_key):
        figures(value).stock += n
    return by_key


COST_CACHE_SECONDS = 15 * 60


def cost_to_date(user, *, node: TerritoryNode | None = None, school: School | None = None) -> Cost:
    """What the devices handed out so far (active or closed loans) cost, each device once: one
    query grouped by the price it is known at. It reads a row of the register per device (a
    département that lent 80,000 devices: a third of a second), so it is cached under what the
    devices lent are (their number, the sum and the largest of their ids, kept in the schools'
    tallies: one query on a row per school) until a device is handed out, or for 15 minutes (a
    price edited in the catalogue)."""
    scope = scope_of(user, VIEW_DASHBOARD)
    if school is not None:
        where = tallied = Q(school=school)
        place = f"school:{school.pk}"
    else:
        where, tallied = _reach(scope, node), _reach(scope, node, tallies=True)
        place = f"node:{node.pk}"
    handed_out = Loan.objects.filter(where, status__in=HANDED_OUT, asset__isnull=False)
    what = (
        SchoolLoanTally.objects.filter(tallied)
        .order_by()
        .aggregate(n=Sum("lent_devices"), s=Sum("lent_id_sum"), m=Max("lent_id_max"))
    )
    reach = hashlib.sha256(repr(scope).encode()).hexdigest()[:16]
    key = f"tne:loans:cost:{place}:{reach}:{what['n']}:{what['s']}:{what['m']}"
    found = cache.get(key)
    if found is not None:
        return found
    lent = handed_out.values("asset_id")
    prices = (
        Asset.objects.filter(pk__in=lent)
        .order_by()
        .values_list("order_line__unit_price", "model__category__reference_model__unit_price")
        .annotate(n=Count("pk"))
    )
    total, devices, from_lines, from_reference, unpriced = Decimal("0"), 0, 0, 0, 0
    for line_price, reference_price, n in prices:
        devices += n
        if line_price is not None:
            total += line_price * n
            from_lines += n
        elif reference_price is not None:
            total += reference_price * n
            from_reference += n
        else:
            unpriced += n
    cost = Cost(
        total=total,
        devices=devices,
        from_order_lines=from_lines,
        from_reference=from_reference,
        unpriced=unpriced,
    )
    cache.set(key, cost, COST_CACHE_SECONDS)
    return cost


def _node_and_rows(node: TerritoryNode, child_kind: str) -> Q:
    """The node and the nodes of its rows, by path (no list of ids: a département's 800
    communes would be 800 parameters)."""
    q = Q(node_id=node.pk)
    if child_kind:
        q |= Q(node__kind=child_kind, node__path__startswith=node.path)
    return q


def _targets(period: Period | None, node: TerritoryNode, child_kind: str) -> dict[int, int]:
    if period is None:
        return {}
    return dict(
        Target.objects.filter(
            _node_and_rows(node, child_kind), measure__code=MEASURE, period=period
        )
        .order_by()
        .values_list("node_id", "count")
    )


def _cents(value) -> Decimal:
    """A sum of amounts as Decimal cents (SQLite gives the sum of a subquery as a number)."""
    return Decimal(str(value or 0)).quantize(CENT)


def _envelopes(
    user, period: Period | None, node: TerritoryNode, child_kind: str
) -> dict[int, EnvelopeFigures]:
    """The M6 envelopes of the node and of its rows' nodes (of the current period, or without
    period), each with the sum of its parts split below it: one query."""
    when = Q(period__isnull=True) if period is None else Q(period=period) | Q(period__isnull=True)
    split = (
        Envelope.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Envelope.objects.visible_to(user)
        .filter(when, _node_and_rows(node, child_kind), measure__code=MEASURE)
        .annotate(split=Subquery(split, output_field=Envelope._meta.get_field("amount")))
        .order_by("node_id", F("period_id").desc(nulls_last=True))
        .values_list("node_id", "amount", "split", "note")
    )
    found: dict[int, EnvelopeFigures] = {}
    for node_id, amount, split_total, note in rows:
        found.setdefault(
            node_id,
            EnvelopeFigures(amount=amount, split=_cents(split_total), note=note),
        )
    return found


def _child_nodes(user, node: TerritoryNode, child_kind: str) -> dict[int, TerritoryNode]:
    """The child nodes of the rows: those the reader browses or holds authority over, with 0
    when nothing is there yet (the schools of their figures are in these nodes)."""
    scope = scope_of(user, VIEW_DASHBOARD)
    return {
        n.pk: n
        for n in TerritoryNode.objects.filter(
            scope.browse_q() | scope.node_q(), kind=child_kind, path__startswith=node.path
        )
        .only("pk", "kind", "code", "name", "path", "parent_id", "depth")
        .order_by("search_name", "code")
    }


def node_dashboard(user, *, node: TerritoryNode, child_kind: str = "") -> Dashboard:
    """The dashboard of ``node``: the total and a row per child node (of ``child_kind`` when it
    is one of the node's, else the first), or per school under a commune or a circonscription
    (the schools where the reader holds ``loans.view``: an evaluator keeps the total). About ten
    queries whatever the number of loans."""
    kinds = CHILD_KINDS[node.kind]
    child_kind = child_kind if child_kind in kinds else (kinds[0] if kinds else "")
    key = SCHOOL_FIELD[child_kind] if child_kind else "pk"
    by_key = figures_by(user, node=node, key=key)
    total = Row(label=str(node), node=node)
    for figures in by_key.values():
        total.figures.add(figures)
    rows: list[Row] = []
    hidden = False
    if child_kind:
        children = _child_nodes(user, node, child_kind)
        rows = [
            Row(label=str(child), node=child, figures=by_key.get(pk, Figures()))
            for pk, child in children.items()
        ]
    else:
        view = scope_of(user, VIEW)
        named = {
            pk: f"{name} ({uai})"
            for pk, name, uai in School.objects.filter(
                view.school_q(), pk__in=[pk for pk in by_key if pk is not None]
            )
            .order_by("search_name", "uai")
            .values_list("pk", "name", "uai")
        }
        rows = [Row(label=label, school_id=pk, figures=by_key[pk]) for pk, label in named.items()]
        hidden = any(
            pk is not None and pk not in named and not f.is_empty for pk, f in by_key.items()
        )
    period = Period.objects.current()
    targets = _targets(period, node, child_kind)
    envelopes = _envelopes(user, period, node, child_kind)
    total.target = targets.get(node.pk)
    envelope = envelopes.get(node.pk)
    total.envelope = envelope.amount if envelope else None
    for row in rows:
        if row.node is not None:
            row.target = targets.get(row.node.pk)
            found = envelopes.get(row.node.pk)
            row.envelope = found.amount if found else None
    return Dashboard(
        node=node,
        school=None,
        period=period,
        total=total,
        rows=rows,
        child_kind=child_kind,
        cost=cost_to_date(user, node=node),
        envelope=envelope,
        school_rows=not child_kind,
        hidden_schools=hidden,
    )


def school_dashboard(user, *, school: School) -> Dashboard:
    """The dashboard of one school (the reader holds ``loans.view_dashboard`` on it): its
    figures and its cost; a school holds no envelope nor target of its own."""
    figures = figures_by(user, school=school).get(None, Figures())
    total = Row(label=f"{school.name} ({school.uai})", figures=figures, school_id=school.pk)
    return Dashboard(
        node=school.commune,
        school=school,
        period=Period.objects.current(),
        total=total,
        rows=[],
        child_kind="",
        cost=cost_to_date(user, school=school),
        envelope=None,
    )


# --- The programme's M6 counter -----------------------------------------------------------------


def equipped_pupils(user, node: TerritoryNode | None = None) -> int:
    """What the programme's dashboard counts for M6: the pupils with an active or a closed loan
    (a device was handed out to them), in the schools ``user`` reads (``loans.view_dashboard``)
    under ``node`` (None: all of them). One query, on the schools' tallies."""
    scope = scope_of(user, VIEW_DASHBOARD)
    if scope.is_empty:
        return 0
    where = (
        scope.school_q_copied(SchoolLoanTally.PLACES)
        if node is None
        else _reach(scope, node, tallies=True)
    )
    tallies = SchoolLoanTally.objects.filter(where).order_by()
    return tallies.aggregate(n=Sum("equipped"))["n"] or 0
