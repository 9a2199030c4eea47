import random

import pytest

from tne.demo.classes import (
    ECOLE_CLASS_MAX,
    HALVED_MAX,
    college_classes,
    ecole_classes,
    lycee_classes,
)
from tne.territory.enums import EducationNetwork, Level, SchoolKind, Stage, stage_of


def plans_for(network=EducationNetwork.NONE, seed=1, **figures):
    return ecole_classes(random.Random(seed), network=network, **figures)


def test_an_ecole_keeps_its_pupils_and_its_real_number_of_classes():
    plans = plans_for(pre_elementary=60, elementary=125, ulis=0, classes=8)

    assert sum(p.headcount for p in plans) == 185
    assert len(plans) == 8
    assert len({p.name for p in plans}) == 8


def test_a_small_ecole_gets_multi_level_classes_of_consecutive_levels():
    plans = plans_for(pre_elementary=0, elementary=42, ulis=0, classes=2)

    assert len(plans) == 2
    order = list(Level.values)
    for plan in plans:
        assert len(plan.levels) > 1
        positions = [order.index(level) for level in plan.levels]
        assert positions == list(range(positions[0], positions[0] + len(positions)))
        assert plan.name == "-".join(Level(level).label for level in plan.levels)
    assert [lv for p in plans for lv in p.levels] == ["CP", "CE1", "CE2", "CM1", "CM2"]


@pytest.mark.parametrize("network", [EducationNetwork.REP, EducationNetwork.REP_PLUS])
def test_cp_and_ce1_are_halved_in_priority_education(network):
    plans = plans_for(network=network, pre_elementary=70, elementary=150, ulis=0, classes=10)

    halved = [p for p in plans if {"CP", "CE1"} & set(p.levels)]
    assert halved
    assert all(p.headcount <= HALVED_MAX and len(p.levels) == 1 for p in halved)
    assert sum(p.headcount for p in plans) == 220


def test_ulis_pupils_get_a_ulis_class():
    plans = plans_for(pre_elementary=0, elementary=180, ulis=11, classes=9)

    ulis = [p for p in plans if p.levels == (Level.ULIS_ECOLE,)]
    assert [p.headcount for p in ulis] == [11]
    assert stage_of(list(ulis[0].levels)) == Stage.ELEMENTARY


def test_no_ecole_class_is_overcrowded_even_with_too_few_classes():
    rng = random.Random(7)
    for seed in range(200):
        pre, elem = rng.randint(0, 150), rng.randint(1, 350)
        network = rng.choice(list(EducationNetwork.values))
        plans = plans_for(
            network=network,
            seed=seed,
            pre_elementary=pre,
            elementary=elem,
            ulis=0,
            classes=rng.randint(1, 14),
        )
        assert sum(p.headcount for p in plans) == pre + elem
        assert max(p.headcount for p in plans) <= ECOLE_CLASS_MAX
        assert min(p.headcount for p in plans) > 0


def test_college_classes_follow_the_real_pupils_per_level():
    pupils = {"6E": 100, "5E": 90, "4E": 76, "3E": 75, "SEGPA": 48, "ULIS_COLLEGE": 10}

    plans = college_classes(pupils)

    by_level = {}
    for plan in plans:
        by_level.setdefault(plan.levels[0], []).append(plan.headcount)
    assert by_level["6E"] == [25, 25, 25, 25]
    assert len(by_level["SEGPA"]) == 3
    assert by_level["ULIS_COLLEGE"] == [10]
    assert sum(p.headcount for p in plans) == sum(pupils.values())
    assert {stage_of(list(p.levels)) for p in plans} == {Stage.COLLEGE}


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        (SchoolKind.LYCEE_GT, 28, 45),
        (SchoolKind.LYCEE_POLY, 30, 45),
        (SchoolKind.LYCEE_PRO, 20, 30),
    ],
)
def test_lycee_classes_depend_on_the_type_of_lycee(kind, low, high):
    for seed in range(20):
        plans = lycee_classes(random.Random(seed), kind)
        assert low <= len(plans) <= high
        assert len({p.name for p in plans}) == len(plans)
        assert {stage_of(list(p.levels)) for p in plans} == {Stage.LYCEE}
    levels = {p.levels[0] for p in lycee_classes(random.Random(0), kind)}
    assert (Level.CAP in levels) == (kind != SchoolKind.LYCEE_GT)


def test_pre_elementary_classes_are_named_by_their_short_levels():
    plans = plans_for(pre_elementary=45, elementary=0, ulis=0, classes=2)

    assert {p.name for p in plans} <= {"PS", "MS", "GS", "PS-MS", "MS-GS"}
    assert {stage_of(list(p.levels)) for p in plans} == {Stage.PRE_ELEMENTARY}


def test_too_few_classes_for_single_level_classes_gives_cours_doubles_of_equal_size():
    plans = plans_for(pre_elementary=0, elementary=150, ulis=0, classes=6)

    assert len(plans) == 6
    assert max(p.headcount for p in plans) - min(p.headcount for p in plans) <= 1
    assert any(len(p.levels) == 2 for p in plans)
    assert len({p.name for p in plans}) == 6
