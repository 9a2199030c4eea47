"""The M6 allocation engine (``tne.loans.engine``): hand-made cases of each bound, the tie rule,
the reasons and the « what if »; the input errors with their paths; hypothesis properties (the
bounds hold, the order of the input does not matter, every pupil refused is stopped by a full
bound, and the vectorised engine is the textbook greedy loop). Its optimality against ``milp``
is in ``test_engine_exact.py``."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tne.loans.engine import (
    Candidate,
    Gain,
    Infeasible,
    InputError,
    Instance,
    Reason,
    School,
    allocate,
    gain,
    what_if,
)

NBSP = "\u00a0"


def pupils(school, *priorities, prefix=None):
    """Candidates of ``school`` with these priorities, ids « A1 », « A2 »…"""
    prefix = prefix or str(school)
    return [Candidate(f"{prefix}{i}", school, p) for i, p in enumerate(priorities, 1)]


# --- The textbook greedy and the random instances (test_engine_exact.py uses them too) --------


def textbook_greedy(instance: Instance):
    """The algorithm as the design states it, one pupil at a time: each school's top ``min``
    pupils first, then each pupil in ranking order served if its school, its département and
    the capacity have room, else refused for the first full bound. ``(served, reasons)``, or
    ``None`` when the minimums cannot be met."""
    schools = {s.id: s for s in instance.schools}
    ranked = sorted(instance.candidates, key=lambda c: (-c.priority, c.id))
    size = Counter(c.school for c in ranked)
    in_school, in_dept, chosen = Counter(), Counter(), set()

    def serve(candidate):
        chosen.add(candidate.id)
        in_school[candidate.school] += 1
        in_dept[schools[candidate.school].departement] += 1

    for candidate in ranked:
        school = schools[candidate.school]
        if in_school[school.id] < min(school.min, size[school.id]):
            serve(candidate)
    capacity = instance.capacity
    caps = instance.departement_caps
    if any(in_dept[code] > cap for code, cap in caps.items()) or (
        capacity is not None and len(chosen) > capacity
    ):
        return None
    reasons = {}
    for candidate in ranked:
        if candidate.id in chosen:
            continue
        school = schools[candidate.school]
        cap = caps.get(school.departement)
        if school.max is not None and in_school[school.id] >= school.max:
            reasons[candidate.id] = Reason.SCHOOL_MAX
        elif cap is not None and in_dept[school.departement] >= cap:
            reasons[candidate.id] = Reason.DEPARTEMENT_CAP
        elif capacity is not None and len(chosen) >= capacity:
            reasons[candidate.id] = instance.capacity_reason
        else:
            serve(candidate)
    return [c.id for c in ranked if c.id in chosen], reasons


DEPARTEMENTS = ("02", "95", "59", "2A")


def random_instance(seed: int) -> Instance:
    """A small instance with quotas and caps, some of them infeasible (seeded)."""
    rng = random.Random(seed)
    n_schools = rng.randint(1, 10)
    departements = DEPARTEMENTS[: rng.randint(1, 4)]
    schools = []
    for i in range(n_schools):
        minimum = 0 if rng.random() < 0.4 else rng.randint(0, 4)
        maximum = None if rng.random() < 0.4 else minimum + rng.randint(0, 5)
        schools.append(School(f"S{i}", rng.choice(departements), minimum, maximum))
    n = rng.randint(0, 60)
    spread = rng.choice((3, 10, 100))
    if seed % 2:
        ids = rng.sample(range(1, 10_000), n)
    else:
        ids = [f"{rng.choice('abAB')}{k}" for k in rng.sample(range(1, 400), n)]
    candidates = [
        Candidate(ids[k], rng.choice(schools).id, rng.randint(0, spread)) for k in range(n)
    ]
    per_dept = Counter(next(s.departement for s in schools if s.id == c.school) for c in candidates)
    caps = {
        code: rng.randint(per_dept[code] // 3, per_dept[code] + 1)
        for code in departements
        if rng.random() < 0.6
    }
    stock = None if rng.random() < 0.15 else rng.randint(0, n + 2)
    budget = unit = None
    if stock is None or rng.random() < 0.45:
        unit = rng.randint(1, 500)
        budget = rng.randint(0, unit * (n + 2))
    return Instance(candidates, schools, caps, stock, budget, unit)


def allocate_or_none(instance):
    try:
        return allocate(instance)
    except Infeasible:
        return None


# --- Hand-made cases -----------------------------------------------------------------------


def test_it_serves_the_highest_priorities_within_the_stock():
    instance = Instance(pupils("A", 3, 9, 5, 7), [School("A", "02")], stock=2)

    result = allocate(instance)

    assert result.served == ["A2", "A4"]
    assert result.total_priority == 16
    assert result.unserved == {"A3": Reason.STOCK, "A1": Reason.STOCK}
    assert result.capacity == 2
    assert result.counts == {
        Reason.STOCK: 2,
        Reason.BUDGET: 0,
        Reason.SCHOOL_MAX: 0,
        Reason.DEPARTEMENT_CAP: 0,
    }


@pytest.mark.parametrize(
    ("ids", "served"),
    [
        (["b", "a"], "a"),
        (["10", "9"], "10"),  # strings by code point
        (["a", "B"], "B"),
        ([10, 9], 9),  # integers by value
    ],
)
def test_ties_go_to_the_smallest_id(ids, served):
    candidates = [Candidate(i, "A", 4) for i in ids]

    result = allocate(Instance(candidates, [School("A", "02")], stock=1))

    assert result.served == [served]
    assert list(result.unserved) == [i for i in ids if i != served]


@pytest.mark.parametrize(
    "ids",
    [
        ["INE0000000002", "INE0000000010", "INE0000000001", "INE000000001"],  # one length, one not
        ["Zoé", "zoe", "Zoe", "Élise", "élise", "a", "", "ab", "a b"],
        [2**40 + 1, 5, 2**33, 0, 65_536, 65_535],
        [-(2**62), 3, -1, 2**62, 0],
        ["x" * 40 + "b", "x" * 40 + "a", "x" * 39],
    ],
)
def test_equal_priorities_rank_as_python_sorts_their_ids(ids):
    candidates = [Candidate(i, "A", 1) for i in ids]

    result = allocate(Instance(candidates, [School("A", "02")]))

    assert result.served == sorted(ids)


def test_a_school_maximum_passes_the_place_to_another_school():
    schools = [School("A", "02", max=1), School("B", "02")]
    instance = Instance(pupils("A", 10, 9) + pupils("B", 2), schools, stock=2)

    result = allocate(instance)

    assert result.served == ["A1", "B1"]
    assert result.unserved == {"A2": Reason.SCHOOL_MAX}


def test_a_departement_cap_passes_the_places_to_the_other_departement():
    schools = [School("A", "02"), School("B", "95")]
    instance = Instance(pupils("A", 10, 9, 8) + pupils("B", 1, 0), schools, {"02": 2}, stock=4)

    result = allocate(instance)

    assert result.served == ["A1", "A2", "B1", "B2"]
    assert result.unserved == {"A3": Reason.DEPARTEMENT_CAP}
    assert result.total_priority == 20


def test_a_minimum_serves_a_low_priority_pupil_before_better_ones():
    schools = [School("A", "02"), School("B", "02", min=1)]
    instance = Instance(pupils("A", 10, 9) + pupils("B", 1), schools, stock=2)

    result = allocate(instance)

    assert result.served == ["A1", "B1"]
    assert result.unserved == {"A2": Reason.STOCK}
    assert result.total_priority == 11


def test_a_minimum_above_the_candidates_counts_as_all_of_them():
    schools = [School("A", "02", min=5), School("B", "02")]
    instance = Instance(pupils("A", 1, 2) + pupils("B", 9), schools, stock=2)

    result = allocate(instance)

    assert result.served == ["A2", "A1"]
    assert result.unserved == {"B1": Reason.STOCK}


def test_a_school_with_a_maximum_of_zero_serves_nobody():
    instance = Instance(pupils("A", 5), [School("A", "02", max=0)], stock=3)

    assert allocate(instance).unserved == {"A1": Reason.SCHOOL_MAX}


def test_the_first_full_bound_is_the_reason():
    # A is full (max 1) and so are 02 (cap 2) and the stock (2): the school comes first; B's
    # pupil finds its school with room, 02 full: the département.
    schools = [School("A", "02", max=1), School("B", "02")]
    instance = Instance(pupils("A", 9, 8) + pupils("B", 7, 6), schools, {"02": 2}, stock=2)

    result = allocate(instance)

    assert result.served == ["A1", "B1"]
    assert result.unserved == {"A2": Reason.SCHOOL_MAX, "B2": Reason.DEPARTEMENT_CAP}


@pytest.mark.parametrize(
    ("stock", "budget_cents", "reason"),
    [
        (5, 90_000, Reason.BUDGET),  # the budget pays for 3, fewer than the stock
        (2, 90_000, Reason.STOCK),
        (3, 90_000, Reason.STOCK),  # equal: the stock
        (None, 90_000, Reason.BUDGET),
        (3, None, Reason.STOCK),
    ],
)
def test_the_capacity_is_the_stock_or_the_budget_whichever_is_smaller(stock, budget_cents, reason):
    instance = Instance(
        pupils("A", 6, 5, 4, 3, 2, 1),
        [School("A", "02")],
        stock=stock,
        budget_cents=budget_cents,
        unit_cost_cents=30_000,
    )

    result = allocate(instance)

    assert result.capacity == min(n for n in (stock, 3 if budget_cents else None) if n is not None)
    assert result.served_count == result.capacity
    assert set(result.unserved.values()) == {reason}
    assert result.counts[reason] == 6 - result.capacity


def test_without_stock_nor_budget_only_the_quotas_limit():
    schools = [School("A", "02", max=2), School("B", "95")]
    instance = Instance(pupils("A", 1, 2, 3) + pupils("B", 0, 0), schools)

    result = allocate(instance)

    assert result.capacity is None
    assert result.served == ["A3", "A2", "B1", "B2"]
    assert result.unserved == {"A1": Reason.SCHOOL_MAX}


def test_the_reasons_have_french_labels():
    assert {reason.value: reason.label for reason in Reason} == {
        "stock": "stock épuisé",
        "budget": "budget atteint",
        "school_max": "maximum de l'école atteint",
        "departement_cap": "plafond du département atteint",
    }


def test_minimums_above_a_cap_are_infeasible_naming_the_departements():
    schools = [
        School("A", "02", min=2),
        School("B", "02", min=1),
        School("C", "95", min=3),
        School("D", "59", min=1),
    ]
    candidates = pupils("A", 1, 1) + pupils("B", 1) + pupils("C", 1, 1, 1) + pupils("D", 1)
    instance = Instance(candidates, schools, {"95": 2, "02": 2, "59": 1})

    with pytest.raises(Infeasible) as caught:
        allocate(instance)

    assert str(caught.value) == (
        f"Attribution impossible{NBSP}: les minimums des écoles du département 02 totalisent "
        f"3{NBSP}élèves, plus que son plafond de 2\u202f; les minimums des écoles du département "
        f"95 totalisent 3{NBSP}élèves, plus que son plafond de 2."
    )
    assert caught.value.departements == {"02": (3, 2), "95": (3, 2)}


def test_minimums_above_the_capacity_are_infeasible_with_the_figures():
    schools = [School("A", "02", min=1500), School("B", "95", min=2000)]
    candidates = [Candidate(i, "A" if i < 1500 else "B", 1) for i in range(3500)]
    instance = Instance(
        candidates, schools, stock=3000, budget_cents=100_000_000, unit_cost_cents=30_000
    )

    with pytest.raises(Infeasible) as caught:
        allocate(instance)

    assert str(caught.value) == (
        f"Attribution impossible{NBSP}: les minimums des écoles totalisent 3\u202f500{NBSP}"
        f"élèves, plus que la capacité de 3\u202f000 (stock de 3\u202f000\u202f; budget de "
        f"1\u202f000\u202f000{NBSP}€ à 300{NBSP}€ l'appareil, soit 3\u202f333)."
    )
    assert (caught.value.minimums, caught.value.capacity) == (3500, 3000)


def test_what_if_runs_again_with_another_stock_or_budget_and_says_the_gain():
    schools = [School("A", "02", max=3), School("B", "95")]
    instance = Instance(pupils("A", 9, 8, 7, 6) + pupils("B", 5, 4), schools, stock=2)
    before = allocate(instance)

    more_stock = what_if(instance, stock=5)
    budget = what_if(instance, budget_cents=30_000, unit_cost_cents=30_000)
    difference = gain(before, more_stock)

    assert instance.stock == 2  # nothing changed
    assert more_stock.served == ["A1", "A2", "A3", "B1", "B2"]
    assert (difference.pupils, difference.priority) == (3, 16)
    assert difference.newly_served == ["A3", "B1", "B2"]
    assert difference.no_longer_served == []
    assert budget.served == ["A1"]
    assert set(budget.unserved.values()) == {Reason.BUDGET}
    assert gain(before, budget) == Gain(-1, -8, [], ["A2"])
    assert gain(more_stock, before).no_longer_served == ["A3", "B1", "B2"]


def test_bounds_beyond_64_bits_are_no_bound():
    schools = [School("A", "02", max=10**30), School("B", "95", min=0, max=None)]
    instance = Instance(pupils("A", 1, 2) + pupils("B", 3), schools, {"02": 10**25}, 10**40)

    assert allocate(instance).served == ["B1", "A2", "A1"]


def test_an_empty_instance_serves_nobody():
    result = allocate(Instance([], [School("A", "02", min=3)], {"02": 0}, stock=0))

    assert (result.served, result.unserved, result.total_priority) == ([], {}, 0)


def test_integer_ids_beyond_64_bits_and_ids_with_a_nul_still_rank():
    big = [Candidate(2**70 + i, "A", 1) for i in (3, 1, 2)]
    nul = [Candidate(i, "A", 1) for i in ("a\0b", "a", "a\0")]

    assert allocate(Instance(big, [School("A", "02")], stock=2)).served == [2**70 + 1, 2**70 + 2]
    assert allocate(Instance(nul, [School("A", "02")], stock=2)).served == ["a", "a\0"]


# --- Input errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "path", "problem"),
    [
        (
            Instance([*pupils("A", 1), Candidate("x", "Z", 1)], [School("A", "02")]),
            "candidates[1].school",
            f"le candidat «{NBSP}x{NBSP}» est d'une école inconnue («{NBSP}Z{NBSP}»)",
        ),
        (
            Instance(pupils("A", 1, -3), [School("A", "02")]),
            "candidates[1].priority",
            f"la priorité du candidat «{NBSP}A2{NBSP}» doit être un entier de 0 à "
            f"1\u202f000\u202f000\u202f000\u202f000 (-3)",
        ),
        (
            Instance([Candidate("a", "A", 1.5)], [School("A", "02")]),
            "candidates[0].priority",
            f"la priorité du candidat «{NBSP}a{NBSP}» doit être un entier de 0 à "
            f"1\u202f000\u202f000\u202f000\u202f000 (1.5)",
        ),
        (
            Instance([], [School("A", "02"), School("B", "02", min=3, max=2)]),
            "schools[1]",
            f"le minimum de l'école «{NBSP}B{NBSP}» (3) dépasse son maximum (2)",
        ),
        (
            Instance([], [School("A", "02"), School("A", "95")]),
            "schools[1].id",
            f"l'école «{NBSP}A{NBSP}» est déjà schools[0]",
        ),
        (
            Instance([], [School("A", "02", min=-1)]),
            "schools[0].min",
            "entier positif ou nul attendu (reçu -1)",
        ),
        (
            Instance(
                [Candidate("a", "A", 1), Candidate("b", "A", 2), Candidate("a", "A", 3)],
                [School("A", "02")],
            ),
            "candidates[2].id",
            f"le candidat «{NBSP}a{NBSP}» figure déjà en candidates[0]",
        ),
        (
            Instance([Candidate(7, "A", 1), Candidate(7, "A", 3)], [School("A", "02")]),
            "candidates[1].id",
            "le candidat 7 figure déjà en candidates[0]",
        ),
        (
            Instance([Candidate("a", "A", 1), Candidate(2, "A", 3)], [School("A", "02")]),
            "candidates[1].id",
            "les identifiants des candidats sont tous des textes ou tous des entiers "
            f"(2, alors que candidates[0] a «{NBSP}a{NBSP}»)",
        ),
        (
            Instance(pupils("A", 1), [School("A", "02")], budget_cents=1000),
            "budget_cents",
            "un budget sans coût unitaire (unit_cost_cents) ne dit pas combien d'appareils il paie",
        ),
        (
            Instance(pupils("A", 1), [School("A", "02")], budget_cents=10, unit_cost_cents=0),
            "unit_cost_cents",
            "entier strictement positif attendu (reçu 0)",
        ),
        (
            Instance(pupils("A", 1), [School("A", "02")], stock=-2),
            "stock",
            "entier positif ou nul attendu (reçu -2)",
        ),
        (
            Instance(pupils("A", 1), [School("A", "02")], {"02": -1}),
            'departement_caps["02"]',
            "entier positif ou nul attendu (reçu -1)",
        ),
    ],
)
def test_an_input_error_says_where_and_what(instance, path, problem):
    with pytest.raises(InputError) as caught:
        allocate(instance)

    assert (caught.value.path, caught.value.problem) == (path, problem)
    assert str(caught.value) == f"{path}{NBSP}: {problem}"


# --- Properties ----------------------------------------------------------------------------


@st.composite
def instances(draw, max_candidates=25):
    departements = draw(
        st.lists(st.sampled_from(DEPARTEMENTS), min_size=1, max_size=3, unique=True)
    )
    schools = []
    for i in range(draw(st.integers(1, 6))):
        minimum = draw(st.integers(0, 3))
        maximum = draw(st.one_of(st.none(), st.integers(minimum, minimum + 4)))
        schools.append(School(f"S{i}", draw(st.sampled_from(departements)), minimum, maximum))
    ids = draw(
        st.one_of(
            st.lists(st.integers(-50, 50), unique=True, max_size=max_candidates),
            st.lists(st.text("aAbé0\0", max_size=3), unique=True, max_size=max_candidates),
        )
    )
    candidates = [
        Candidate(i, draw(st.sampled_from(schools)).id, draw(st.integers(0, 5))) for i in ids
    ]
    caps = draw(st.dictionaries(st.sampled_from(departements), st.integers(0, 12)))
    stock = draw(st.one_of(st.none(), st.integers(0, 30)))
    unit = draw(st.integers(1, 400))
    budget = draw(st.one_of(st.none(), st.integers(0, 30 * unit)))
    return Instance(candidates, schools, caps, stock, budget, unit if budget is not None else None)


@settings(max_examples=200, deadline=None)
@given(instance=instances())
def test_it_is_the_textbook_greedy(instance):
    expected = textbook_greedy(instance)
    result = allocate_or_none(instance)

    if expected is None:
        assert result is None
    else:
        assert (result.served, result.unserved) == expected
        assert list(result.unserved) == [
            c.id
            for c in sorted(instance.candidates, key=lambda c: (-c.priority, c.id))
            if c.id not in set(result.served)
        ]


@settings(max_examples=200, deadline=None)
@given(instance=instances())
def test_every_bound_holds_and_every_refusal_names_a_full_bound(instance):
    result = allocate_or_none(instance)
    if result is None:
        return
    schools = {s.id: s for s in instance.schools}
    school_of = {c.id: c.school for c in instance.candidates}
    priority = {c.id: c.priority for c in instance.candidates}
    size = Counter(school_of.values())
    in_school = Counter(school_of[i] for i in result.served)
    in_dept = Counter(schools[school_of[i]].departement for i in result.served)
    caps = instance.departement_caps

    assert set(result.served) | set(result.unserved) == set(school_of)
    assert not set(result.served) & set(result.unserved)
    assert result.total_priority == sum(priority[i] for i in result.served)
    assert result.capacity is None or result.served_count <= result.capacity
    for school in instance.schools:
        assert min(school.min, size[school.id]) <= in_school[school.id]
        assert school.max is None or in_school[school.id] <= school.max
    for code, cap in caps.items():
        assert in_dept[code] <= cap
    assert sum(result.counts.values()) == len(result.unserved)
    assert Counter(result.unserved.values()) == +Counter(result.counts)
    for pupil, reason in result.unserved.items():
        school = schools[school_of[pupil]]
        school_full = school.max is not None and in_school[school.id] >= school.max
        dept_full = caps.get(school.departement) is not None and (
            in_dept[school.departement] >= caps[school.departement]
        )
        capacity_full = result.capacity is not None and result.served_count >= result.capacity
        # Serving this pupil on top would break the bound named, and it is the first full one.
        assert {
            Reason.SCHOOL_MAX: school_full,
            Reason.DEPARTEMENT_CAP: dept_full and not school_full,
            Reason.STOCK: capacity_full and not dept_full and not school_full,
            Reason.BUDGET: capacity_full and not dept_full and not school_full,
        }[reason]
        if reason in (Reason.STOCK, Reason.BUDGET):
            assert reason == instance.capacity_reason


@settings(max_examples=150, deadline=None)
@given(instance=instances(), randomness=st.randoms(use_true_random=False))
def test_the_order_of_the_input_does_not_change_the_result(instance, randomness):
    candidates, schools = list(instance.candidates), list(instance.schools)
    randomness.shuffle(candidates)
    randomness.shuffle(schools)
    shuffled = Instance(
        candidates,
        schools,
        dict(reversed(instance.departement_caps.items())),
        instance.stock,
        instance.budget_cents,
        instance.unit_cost_cents,
    )

    first, second = allocate_or_none(instance), allocate_or_none(shuffled)

    if first is None:
        assert second is None
    else:
        assert (second.served, list(second.unserved.items())) == (
            first.served,
            list(first.unserved.items()),
        )


@settings(max_examples=100, deadline=None)
@given(instance=instances(), more=st.integers(0, 10))
def test_more_stock_never_serves_less(instance, more):
    result = allocate_or_none(instance)
    if result is None or instance.stock is None:
        return

    bigger = what_if(instance, stock=instance.stock + more)

    difference = gain(result, bigger)
    assert difference.pupils >= 0 and difference.priority >= 0
    assert difference.no_longer_served == []
