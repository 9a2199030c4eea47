"""The allocation engine — provisional, replaced by the engine branch at merge.

A minimal greedy implementation of the engine's agreed interface, so that the runs (the
database side: ``services/runs.py``) can be written and tested before the engine branch lands.
It follows the same rules: candidates ranked by priority (highest first), then by id (smallest
first); every school's top ``min`` candidates served first (a minimum above the school's number
of candidates counts as that number); then, in ranking order, a candidate is served while their
school is under its maximum, their département under its cap and the whole under the capacity
(the stock, the budget's number of devices, the smaller of the two; neither: no limit). A
candidate not served gets the first full bound in the order school maximum → département cap
→ capacity (« budget » when the budget pays for fewer devices than the stock, else « stock »).
Minimums that cannot all be met raise :class:`Infeasible` with a French message."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from tne.core.formats import NBSP, fr_number, plural


class Reason(StrEnum):
    STOCK = "stock"
    BUDGET = "budget"
    SCHOOL_MAX = "school_max"
    DEPARTEMENT_CAP = "departement_cap"


class Infeasible(Exception):
    """The minimums cannot all be met; the message says why, in French."""


@dataclass(frozen=True)
class School:
    id: str | int
    departement: str
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class Candidate:
    id: str | int
    school: str | int
    priority: int


@dataclass(frozen=True)
class Instance:
    candidates: Sequence[Candidate]
    schools: Sequence[School]
    departement_caps: Mapping[str, int] = field(default_factory=dict)
    stock: int | None = None
    budget_cents: int | None = None
    unit_cost_cents: int | None = None

    @property
    def budget_capacity(self) -> int | None:
        if self.budget_cents is None or not self.unit_cost_cents:
            return None
        return self.budget_cents // self.unit_cost_cents

    @property
    def capacity(self) -> int | None:
        limits = [n for n in (self.stock, self.budget_capacity) if n is not None]
        return min(limits) if limits else None

    @property
    def capacity_reason(self) -> Reason:
        budget = self.budget_capacity
        if budget is not None and (self.stock is None or budget < self.stock):
            return Reason.BUDGET
        return Reason.STOCK


@dataclass(frozen=True)
class Result:
    served: list
    total_priority: int
    unserved: dict
    capacity: int | None
    counts: dict = field(default_factory=dict)


def allocate(instance: Instance) -> Result:
    schools = {s.id: s for s in instance.schools}
    ranked = sorted(instance.candidates, key=lambda c: (-c.priority, c.id))
    capacity = instance.capacity
    caps = instance.departement_caps
    per_school: Counter = Counter()
    per_dept: Counter = Counter()
    served: set = set()
    forced_school: Counter = Counter()
    for candidate in ranked:
        school = schools[candidate.school]
        if forced_school[school.id] < school.min:
            forced_school[school.id] += 1
            served.add(candidate.id)
            per_school[school.id] += 1
            per_dept[school.departement] += 1
    problems = [
        f"les minimums des écoles du département {code} totalisent "
        f"{plural(per_dept[code], 'élève')}, plus que son plafond de {fr_number(cap)}"
        for code, cap in sorted(caps.items())
        if per_dept[code] > cap
    ]
    if capacity is not None and len(served) > capacity:
        problems.append(
            f"les minimums des écoles totalisent {plural(len(served), 'élève')}, plus que la "
            f"capacité de {fr_number(capacity)}"
        )
    if problems:
        raise Infeasible(f"Attribution impossible{NBSP}: " + "\u202f; ".join(problems) + ".")
    total = len(served)
    for candidate in ranked:
        if candidate.id in served:
            continue
        school = schools[candidate.school]
        if school.max is not None and per_school[school.id] >= school.max:
            continue
        cap = caps.get(school.departement)
        if cap is not None and per_dept[school.departement] >= cap:
            continue
        if capacity is not None and total >= capacity:
            continue
        served.add(candidate.id)
        per_school[school.id] += 1
        per_dept[school.departement] += 1
        total += 1
    unserved = {}
    for candidate in ranked:
        if candidate.id in served:
            continue
        school = schools[candidate.school]
        cap = caps.get(school.departement)
        if school.max is not None and per_school[school.id] >= school.max:
            unserved[candidate.id] = Reason.SCHOOL_MAX
        elif cap is not None and per_dept[school.departement] >= cap:
            unserved[candidate.id] = Reason.DEPARTEMENT_CAP
        else:
            unserved[candidate.id] = instance.capacity_reason
    counts = dict.fromkeys(Reason, 0)
    counts.update(Counter(unserved.values()))
    return Result(
        served=[c.id for c in ranked if c.id in served],
        total_priority=sum(c.priority for c in ranked if c.id in served),
        unserved=unserved,
        capacity=capacity,
        counts=counts,
    )


def what_if(
    instance: Instance, *, stock: int | None = None, budget_cents: int | None = None
) -> Result:
    changes = {
        name: value
        for name, value in (("stock", stock), ("budget_cents", budget_cents))
        if value is not None
    }
    return allocate(replace(instance, **changes))
