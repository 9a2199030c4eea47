"""The engine is optimal: on 240 seeded random instances with school minimums and maximums,
département caps, a stock and/or a budget (some infeasible), its total priority is the optimum
of the integer program solved by ``milp`` (HiGHS), it serves as many pupils as the most any
optimal choice serves, and the two agree on which instances are infeasible. The referee itself
is checked against a brute force on tiny instances, the random instances are checked to
exercise every bound, and the benchmark's generator is checked at a small size."""

import itertools
import random
from collections import Counter
from dataclasses import replace

import pytest

from bench.allocation import generate
from tests.loans.test_engine import allocate_or_none, random_instance
from tne.loans.engine import Instance, Reason, allocate
from tne.loans.exact import exact_total, solve_exact

SEEDS = range(240)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engine_reaches_the_optimum_of_milp(seed):
    instance = random_instance(seed)

    result = allocate_or_none(instance)
    exact = solve_exact(instance, count_ties=True)

    if result is None:
        assert exact.status == "infeasible"
    else:
        assert exact.status == "optimal"
        assert (result.total_priority, result.served_count) == (exact.total, exact.served_count)


def test_the_random_instances_exercise_every_bound():
    """Not a test of the engine: a check that the 240 instances above are not easy ones."""
    seen = Counter()
    for seed in SEEDS:
        instance = random_instance(seed)
        result = allocate_or_none(instance)
        if result is None:
            seen["infeasible"] += 1
            continue
        seen.update(set(result.unserved.values()))
        priority = {c.id: c.priority for c in instance.candidates}
        stopped = [
            priority[i] for i, r in result.unserved.items() if r in (Reason.STOCK, Reason.BUDGET)
        ]
        # A pupil served below one the capacity stopped: a minimum forced it in.
        if stopped and result.served and min(priority[i] for i in result.served) < max(stopped):
            seen["minimum forces a pupil"] += 1

    assert seen["infeasible"] >= 20, seen
    for what in (
        Reason.SCHOOL_MAX,
        Reason.DEPARTEMENT_CAP,
        Reason.STOCK,
        Reason.BUDGET,
        "minimum forces a pupil",
    ):
        assert seen[what] >= 20, seen


def _brute_force(instance: Instance) -> int | None:
    """The best total over every subset that meets every bound (``None``: none does)."""
    schools = {s.id: s for s in instance.schools}
    size = Counter(c.school for c in instance.candidates)
    capacity = instance.capacity
    best = None
    for served in itertools.product((0, 1), repeat=len(instance.candidates)):
        chosen = [c for c, x in zip(instance.candidates, served, strict=True) if x]
        in_school = Counter(c.school for c in chosen)
        in_dept = Counter(schools[c.school].departement for c in chosen)
        if (
            (capacity is None or len(chosen) <= capacity)
            and all(
                min(s.min, size[s.id]) <= in_school[s.id] <= (s.max if s.max is not None else 99)
                for s in instance.schools
            )
            and all(in_dept[code] <= cap for code, cap in instance.departement_caps.items())
        ):
            total = sum(c.priority for c in chosen)
            best = total if best is None else max(best, total)
    return best


def test_the_referee_is_the_brute_force_on_tiny_instances():
    tiny = [i for i in (random_instance(seed) for seed in range(400)) if len(i.candidates) <= 9]
    assert len(tiny) >= 30
    for instance in tiny[:60]:
        assert exact_total(instance) == _brute_force(instance)


def test_the_benchmark_instance_at_a_small_size_is_solved_optimally():
    instance = generate(candidates=3000, schools=120, departements=6, seed=1)

    result = allocate(instance)

    assert result.total_priority == exact_total(instance)
    assert set(result.unserved.values()) == {
        Reason.SCHOOL_MAX,
        Reason.DEPARTEMENT_CAP,
        Reason.STOCK,
    }


def test_a_shuffled_benchmark_instance_gives_the_same_result():
    instance = generate(candidates=3000, schools=120, departements=6, seed=5)
    candidates = list(instance.candidates)
    random.Random(1).shuffle(candidates)

    assert allocate(replace(instance, candidates=candidates)) == allocate(instance)
