"""The M4 plan: within the M4 envelope of a node, which classes to bring up to the socle (a class
is funded only entirely: every item of its gap), and optionally which school packs and head kits,
so that the most classes are brought up, the poorest schools first.

**The money.** The budget is what is left of the envelope: its amount minus the totals of the
committed orders charged to it (``Order`` with status COMMITTED); draft and cancelled orders do
not count. The plan never spends more than that budget (checked again in ``Decimal`` after the
solver: see :func:`solve`).

**The ranking** (the same as the overview's, :func:`priority_key`): schools with a lower IPS
first (no IPS last), then REP+ before REP before the others, then the school with more classes
below the socle, then the UAI; within a school, the classes in pedagogical order
(``class_order_key``: CP before CE1…), then by id. Each candidate gets
its rank r (0 = first).

**The solver**, exact and lexicographic, in three steps on 0/1 variables:

1. the greatest number k of classes the budget can fund (unit values: taking the cheapest
   first is optimal);
2. among the sets of k classes within the budget, the one with the smallest sum of ranks: a
   0/1 knapsack with a cardinality constraint, solved exactly by SciPy's ``milp`` (HiGHS,
   ``mip_rel_gap`` 0, costs in integer cents); equal sums are settled by HiGHS, which is
   deterministic for a given input (given in ranking order), so the same data gives the same
   plan;
3. with what is left, the school packs and head kits asked for, the same way (the most kits,
   then the best-ranked): a kit is never funded before a class.

Step 2 groups the candidates by cost (:func:`_best_of_size`: integer counts per distinct cost,
the rank sums as convex pieces added as cutting planes), so the solver has a few dozen unknowns
whatever the number of classes: 100,000 classes in about a second.

Classes not audited, and classes whose cost is unknown (a category without a reference model),
are not candidates: the plan lists them as unfunded with that reason."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from tne.programme.models import Envelope
from tne.territory.models import School, TerritoryNode

from .enums import OrderStatus
from .models import Order
from .socle import (
    ClassGap,
    ClassStatus,
    Prices,
    class_gaps,
    load_prices,
    priority_key,
    school_side_gaps,
    schools_under_q,
    socle_classes,
    socle_schools,
)

M4 = "M4"

REASON_BUDGET = "Budget insuffisant"
REASON_NOT_AUDITED = "Non audité\u00a0: l'écart est inconnu"
REASON_UNPRICED = "Non chiffré\u00a0: une catégorie n'a pas de modèle de référence"


# --- The solver, on plain data ------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: object
    cost: Decimal
    rank: int


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _best_of_size(candidates: Sequence[Candidate], budget: Decimal, k: int) -> list[Candidate]:
    """Among the sets of ``k`` candidates whose costs fit in ``budget``, the one with the
    smallest sum of ranks, exactly (HiGHS, zero gap).

    Candidates of equal cost are interchangeable but for their rank, so the best set takes the
    best-ranked ones of each cost first: the unknowns are how many of each distinct cost
    (integers n_g; a class's cost depends only on which criteria it misses, so there are at
    most 31 of them), and the sum of the ranks of the first n_g of a cost, F_g(n_g), is a
    convex piecewise-linear function, written as t_g ≥ its pieces. The pieces are added as
    needed (cutting planes): solve with some, and while a t_g is below F_g(n_g), add the piece
    at n_g and solve again. A solution where every t_g equals F_g(n_g) is optimal for all the
    pieces, since fewer pieces can only lower the optimum."""
    groups: dict[int, list[Candidate]] = {}
    for candidate in sorted(candidates, key=lambda c: c.rank):
        groups.setdefault(_cents(candidate.cost), []).append(candidate)
    costs = sorted(groups)
    g = len(costs)
    ranks = [[c.rank for c in groups[cost]] for cost in costs]
    prefixes = [np.concatenate([[0], np.cumsum(r)]) for r in ranks]
    # Pieces (group, j): t_g ≥ F_g(j) + rank_j × (n_g − j), valid for every integer n_g.
    pieces = {(i, j) for i in range(g) for j in {0, len(ranks[i]) - 1}}
    for i, (low, high) in enumerate(zip(*_greedy_counts(ranks, costs, budget, k), strict=True)):
        pieces.update((i, j) for j in (low, high) if 0 <= j < len(ranks[i]))
    bounds = Bounds(np.zeros(2 * g), np.concatenate([[len(r) for r in ranks], np.full(g, np.inf)]))
    integrality = np.concatenate([np.ones(g), np.zeros(g)])
    objective = np.concatenate([np.zeros(g), np.ones(g)])
    head = [
        LinearConstraint(
            np.concatenate([np.array(costs, dtype=float), np.zeros(g)])[None, :],
            -np.inf,
            float(_cents(budget)),
        ),
        LinearConstraint(np.concatenate([np.ones(g), np.zeros(g)])[None, :], k, k),
    ]
    while True:
        ordered = sorted(pieces)
        rows = np.arange(len(ordered))
        matrix = coo_matrix(
            (
                np.concatenate([np.ones(len(ordered)), [-float(ranks[i][j]) for i, j in ordered]]),
                (
                    np.concatenate([rows, rows]),
                    np.concatenate([[g + i for i, _ in ordered], [i for i, _ in ordered]]),
                ),
            ),
            shape=(len(ordered), 2 * g),
        ).tocsr()
        lower = np.array([float(prefixes[i][j] - ranks[i][j] * j) for i, j in ordered])
        result = milp(
            c=objective,
            constraints=[*head, LinearConstraint(matrix, lower, np.inf)],
            integrality=integrality,
            bounds=bounds,
            options={"mip_rel_gap": 0, "presolve": True, "time_limit": 60},
        )
        if result.x is None:  # pragma: no cover - k comes from a feasible choice
            return []
        counts = [round(result.x[i]) for i in range(g)]
        # Piece n − 1 is exact at n (F(n − 1) + rank × 1 = F(n)); at n = 0, t ≥ 0 = F(0).
        missing = {
            (i, n - 1)
            for i, n in enumerate(counts)
            if n > 0 and result.x[g + i] < prefixes[i][n] - 0.5
        }
        if not missing:
            break
        pieces |= missing
    chosen = []
    for i, cost in enumerate(costs):
        chosen.extend(groups[cost][: counts[i]])
    return chosen


def _greedy_counts(ranks, costs, budget: Decimal, k: int):
    """A first guess of the counts per cost (the cheapest first, as in :func:`max_count`), to
    start the cutting planes near the answer: (n_g − 1, n_g) per group."""
    left, counts = _cents(budget), [0] * len(costs)
    for i in sorted(range(len(costs)), key=lambda i: costs[i]):
        take = min(len(ranks[i]), k - sum(counts), left // costs[i] if costs[i] else len(ranks[i]))
        counts[i] = take
        left -= take * costs[i]
    return [n - 1 for n in counts], counts


def _fit(chosen: list[Candidate], budget: Decimal) -> list[Candidate]:
    """``chosen`` within ``budget`` in Decimal: drops the lowest-ranked ones should the solver's
    tolerance ever have let a cent through (it never spends more than the budget)."""
    chosen = sorted(chosen, key=lambda c: c.rank)
    while chosen and sum((c.cost for c in chosen), Decimal("0")) > budget:
        chosen.pop()
    return chosen


def max_count(costs: Sequence[Decimal], budget: Decimal) -> int:
    """The greatest number of items ``budget`` pays for: the cheapest first."""
    total, count = Decimal("0"), 0
    for cost in sorted(costs):
        if total + cost > budget:
            break
        total += cost
        count += 1
    return count


def best_subset(candidates: Sequence[Candidate], budget: Decimal) -> list[Candidate]:
    """The most candidates ``budget`` pays for, and among those sets the best-ranked one."""
    affordable = [c for c in candidates if c.cost <= budget]
    k = max_count([c.cost for c in affordable], budget)
    if not k:
        return []
    return _fit(_best_of_size(affordable, budget, k), budget)


def solve(
    classes: Sequence[Candidate], kits: Sequence[Candidate], budget: Decimal
) -> tuple[list[Candidate], list[Candidate]]:
    """The classes and the kits funded (steps 1 to 3 of the module's docstring)."""
    budget = max(budget, Decimal("0"))
    chosen = best_subset(classes, budget)
    left = budget - sum((c.cost for c in chosen), Decimal("0"))
    return chosen, best_subset(kits, left)


# --- The plan of a node -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanClass:
    gap: ClassGap
    school: School
    rank: int


@dataclass(frozen=True)
class PlanKit:
    school: School
    kind: str  # "SCHOOL" (the shared pack) or "HEAD"
    label: str
    items: tuple[str, ...]
    cost: Decimal
    rank: int


@dataclass(frozen=True)
class Unfunded:
    school: School
    what: str
    cost: Decimal | None
    reason: str
    school_class_id: int | None = None


@dataclass
class Plan:
    node: TerritoryNode
    envelope: Envelope
    amount: Decimal
    committed: Decimal
    budget: Decimal
    include_school_packs: bool
    include_head_kits: bool
    classes: list[PlanClass] = field(default_factory=list)
    kits: list[PlanKit] = field(default_factory=list)
    unfunded: list[Unfunded] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)

    @property
    def classes_cost(self) -> Decimal:
        return sum((c.gap.cost for c in self.classes), Decimal("0"))

    @property
    def kits_cost(self) -> Decimal:
        return sum((k.cost for k in self.kits), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return self.classes_cost + self.kits_cost

    @property
    def left(self) -> Decimal:
        return self.budget - self.total

    @property
    def items(self) -> list[tuple[str, str, int]]:
        """(category code, name, quantity) of everything the plan buys, kits' items included
        (a school pack counts as one « socle-ecole » kit)."""
        counter: Counter = Counter()
        for c in self.classes:
            counter.update(c.gap.items)
        for k in self.kits:
            counter.update(k.items)
        return [
            (code, self.category_names.get(code, code), qty)
            for code, qty in sorted(counter.items())
        ]

    @property
    def school_count(self) -> int:
        return len({c.school.pk for c in self.classes} | {k.school.pk for k in self.kits})


def committed_on(envelope: Envelope) -> Decimal:
    total = Order.objects.filter(envelope=envelope, status=OrderStatus.COMMITTED).aggregate(
        total=Sum("total")
    )["total"]
    return total or Decimal("0")


def plan_for(
    node: TerritoryNode,
    envelope: Envelope,
    *,
    include_school_packs: bool = False,
    include_head_kits: bool = False,
    prices: Prices | None = None,
) -> Plan:
    """The plan of ``node``'s elementary classes within ``envelope`` (an M4 envelope; its
    remaining amount: amount − committed orders). A fixed number of queries whatever the
    number of schools and classes. What a campaign is made from: ``plan.classes`` (class ids in
    ``c.gap.class_id``, the socle class kit closes their gap), ``plan.kits``."""
    prices = prices or load_prices()
    committed = committed_on(envelope)
    budget = max(envelope.amount - committed, Decimal("0"))
    plan = Plan(
        node=node,
        envelope=envelope,
        amount=envelope.amount,
        committed=committed,
        budget=budget,
        include_school_packs=include_school_packs,
        include_head_kits=include_head_kits,
        category_names={**prices.category_names, "socle-ecole": "Kit « Socle école »"},
    )
    schools_qs = socle_schools().filter(schools_under_q(node))
    schools = {
        s.pk: s
        for s in schools_qs.select_related("commune").only(
            "pk", "uai", "name", "ips", "education_network", "kind", "commune__name"
        )
    }
    gaps = class_gaps(socle_classes().filter(school__in=schools_qs), prices)
    below = Counter(g.school_id for g in gaps if g.is_below)
    order = sorted(
        schools.values(),
        key=lambda s: priority_key(s.ips, s.education_network, below[s.pk], s.uai),
    )
    school_rank = {s.pk: i for i, s in enumerate(order)}
    gaps.sort(key=lambda g: (school_rank[g.school_id], g.order, g.class_id))

    candidates, by_key = [], {}
    for rank, gap in enumerate(gaps):
        school = schools[gap.school_id]
        if gap.status == ClassStatus.NOT_AUDITED:
            plan.unfunded.append(Unfunded(school, gap.name, None, REASON_NOT_AUDITED, gap.class_id))
        elif gap.is_below and gap.cost is None:
            plan.unfunded.append(Unfunded(school, gap.name, None, REASON_UNPRICED, gap.class_id))
        elif gap.is_below:
            candidate = Candidate(("class", gap.class_id), gap.cost, rank)
            candidates.append(candidate)
            by_key[candidate.key] = PlanClass(gap, school, rank)

    kit_candidates, kit_by_key = [], {}
    if include_school_packs or include_head_kits:
        sides = school_side_gaps(schools_qs, prices)
        for school in order:
            side = sides.get(school.pk)
            if side is None:
                continue
            options = []
            if include_school_packs and side.needs_pack:
                options.append(
                    ("SCHOOL", "Lot mutualisé (socle école)", ("socle-ecole",), side.pack_cost)
                )
            if include_head_kits and side.head_missing:
                options.append(
                    ("HEAD", "Équipement de la direction", side.head_items, side.head_cost)
                )
            for kind, label, items, cost in options:
                rank = len(kit_candidates)
                if cost is None:
                    plan.unfunded.append(Unfunded(school, label, None, REASON_UNPRICED))
                    continue
                candidate = Candidate((kind, school.pk), cost, rank)
                kit_candidates.append(candidate)
                kit_by_key[candidate.key] = PlanKit(school, kind, label, items, cost, rank)

    chosen, chosen_kits = solve(candidates, kit_candidates, budget)
    chosen_keys = {c.key for c in chosen}
    plan.classes = sorted((by_key[c.key] for c in chosen), key=lambda c: c.rank)
    plan.kits = sorted((kit_by_key[c.key] for c in chosen_kits), key=lambda k: k.rank)
    chosen_kit_keys = {c.key for c in chosen_kits}
    for candidate in candidates:
        if candidate.key not in chosen_keys:
            pc = by_key[candidate.key]
            plan.unfunded.append(
                Unfunded(pc.school, pc.gap.name, pc.gap.cost, REASON_BUDGET, pc.gap.class_id)
            )
    for candidate in kit_candidates:
        if candidate.key not in chosen_kit_keys:
            kit = kit_by_key[candidate.key]
            plan.unfunded.append(Unfunded(kit.school, kit.label, kit.cost, REASON_BUDGET))
    return plan
