import random

import pytest

from tne.demo.staff import NEW_TEACHER_RATE, staff_plans, teacher_count
from tne.territory.enums import EducationNetwork, SchoolKind, StaffRole


def test_a_school_has_one_head_and_its_teachers():
    plans = staff_plans(random.Random(1), teachers=12, network=EducationNetwork.NONE)

    assert [p.role for p in plans].count(StaffRole.HEAD) == 1
    assert [p.role for p in plans].count(StaffRole.TEACHER) == 12
    assert all(p.first_name and p.last_name for p in plans)


@pytest.mark.parametrize(
    ("network", "factor"),
    [(EducationNetwork.NONE, 1), (EducationNetwork.REP, 1.5), (EducationNetwork.REP_PLUS, 2)],
)
def test_new_teachers_are_more_frequent_in_priority_education(network, factor):
    plans = staff_plans(random.Random(2), teachers=20000, network=network)

    share = sum(p.is_new_teacher for p in plans) / 20000
    assert share == pytest.approx(NEW_TEACHER_RATE * factor, rel=0.1)


def test_teacher_counts_follow_the_kind_of_school():
    assert teacher_count(kind=SchoolKind.PRIMAIRE, classes=6, pupils=140, fte_per_class=1.1) == 7
    assert teacher_count(kind=SchoolKind.COLLEGE, classes=20, pupils=520) == 40
    assert teacher_count(kind=SchoolKind.LYCEE_GT, classes=30, pupils=990) == 90
