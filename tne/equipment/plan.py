"""The M4 plan: within the M4 envelope of a node, which classes to bring up to the socle (a class
is funded only entirely: every item of its gap), and optionally which school packs and head kits,
so that the most classes are brought up, the poorest schools first.

**The money.** The budget is what is left of the envelope: its amount minus the totals of the
committed orders charged to it (``Order`` with status COMMITTED); draft and cancelled orders do
not count. The plan never spends more than that budget (checked again in ``Decimal`` after the
solver: see :func:`solve`).

**The ranking** (the same as the overview's, :func:`priority_key`): schools with a lower IPS
first (no IPS last), then REP+ before REP before the others, then the school with more classes
below the socle, then the UAI; within a school, the classes by name then id. Each candidate gets
its rank r (0 = first).

**The solver**, exact and lexicographic, in three steps on 0/1 variables:

1. the greatest number k of classes the budget can fund (unit values: taking the cheapest
   first is optimal);
2. among the sets of k classes within the budget, the one with the smallest sum of ranks: a
   0/1 knapsack with a cardinality constraint, solved exactly by SciPy's ``milp`` (HiGHS,
   ``mip_rel_gap`` 0, costs in integer cents); equal sums are settled by HiGHS, which is
   deterministic for a given input (given in ranking order), so the same data gives the same
   plan;
3. with what is left, the school packs and head kits asked for (a knapsack on their ranks,
   same solver): a kit is never funded before a class.

Classes not audited, and classes whose cost is unknown (a category without a reference model),
are not candidates: the plan lists them as unfunded with that reason."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from scipy.optimize import Bounds, LinearConstraint, milp

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
REASON_NOT_AUDITED = "Non audité : l'écart est inconnu"
REASON_UNPRICED = "Non chiffré : une catégorie n'a pas de modèle de référence"


# --- The solver, on plain data ------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: object
    cost: Decimal
    rank: int


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _knapsack(
    costs: Sequence[int], values: Sequence[float], capacity: int, count: int | None = None
) -> list[int]:
    """Indexes of the 0/1 choice maximising Σ values within ``capacity`` (and of exactly
    ``count`` items when given), exactly (HiGHS, zero gap)."""
    n = len(costs)
    if n == 0:
        return []
    constraints = [LinearConstraint(np.array([costs], dtype=float), -np.inf, float(capacity))]
    if count is not None:
        constraints.append(LinearConstraint(np.ones((1, n)), count, count))
    result = milp(
        c=-np.asarray(values, dtype=float),
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0, "presolve": True, "time_limit": 60},
    )
    if result.x is None:
        return []
    return [i for i in range(n) if result.x[i] > 0.5]


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


def solve(
    classes: Sequence[Candidate], kits: Sequence[Candidate], budget: Decimal
) -> tuple[list[Candidate], list[Candidate]]:
    """The classes and the kits funded (steps 1 to 3 of the module's docstring)."""
    budget = max(budget, Decimal("0"))
    classes = sorted(classes, key=lambda c: c.rank)
    affordable = [c for c in classes if c.cost <= budget]
    k = max_count([c.cost for c in affordable], budget)
    chosen: list[Candidate] = []
    if k:
        n = len(affordable)
        picked = _knapsack(
            [_cents(c.cost) for c in affordable],
            [n - c.rank for c in affordable],
            _cents(budget),
            count=k,
        )
        chosen = _fit([affordable[i] for i in picked], budget)
    left = budget - sum((c.cost for c in chosen), Decimal("0"))
    kits = sorted((k for k in kits if k.cost <= left), key=lambda c: c.rank)
    chosen_kits: list[Candidate] = []
    if kits:
        m = len(kits)
        picked = _knapsack(
            [_cents(c.cost) for c in kits],
            # Lexicographic on ranks: the best kit is worth more than all the worse ones.
            [float(2 ** min(m - i - 1, 60)) if m <= 60 else float(m - i) for i in range(m)],
            _cents(left),
        )
        chosen_kits = _fit([kits[i] for i in picked], left)
    return chosen, chosen_kits


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


def m4_envelopes(node: TerritoryNode):
    """The M4 envelopes held by ``node``."""
    return Envelope.objects.filter(node=node, measure__code=M4).select_related("period", "node")
