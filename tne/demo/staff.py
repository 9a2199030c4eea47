"""Plans of the staff of a school: pure functions, no database, one seeded generator.

One head per school. Teachers: in écoles the FTE of the calibration per class (about one per
class), in collèges one per 13 pupils, in lycées one per 11. Names are drawn from Faker's French
first and last names with the school's seeded generator. A teacher is newly appointed (M7) with a
probability of :data:`NEW_TEACHER_RATE`, one and a half times as much in REP and twice in REP+
(young teachers are appointed where posts are hardest to fill): about 1,000 in the demo.
"""

import random
from dataclasses import dataclass

from faker.providers.person.fr_FR import Provider as FrenchNames

from tne.territory.enums import EducationNetwork, SchoolKind, StaffRole

PUPILS_PER_TEACHER = {SchoolKind.COLLEGE: 13, **dict.fromkeys(SchoolKind.lycees(), 11)}
NEW_TEACHER_RATE = 0.04
NETWORK_FACTOR = {EducationNetwork.REP: 1.5, EducationNetwork.REP_PLUS: 2.0}


@dataclass(frozen=True)
class StaffPlan:
    role: str
    first_name: str
    last_name: str
    is_new_teacher: bool = False


def teacher_count(*, kind: str, classes: int, pupils: int, fte_per_class: float = 1.0) -> int:
    if kind in PUPILS_PER_TEACHER:
        return max(1, round(pupils / PUPILS_PER_TEACHER[kind]))
    return max(1, round(classes * fte_per_class))


def _person(rng: random.Random) -> tuple[str, str]:
    # About 70 % of teachers are women.
    female = rng.random() < 0.7
    names = FrenchNames.first_names_female if female else FrenchNames.first_names_male
    return rng.choice(names), rng.choice(FrenchNames.last_names)


def staff_plans(rng: random.Random, *, teachers: int, network: str) -> list[StaffPlan]:
    rate = NEW_TEACHER_RATE * NETWORK_FACTOR.get(network, 1.0)
    plans = [StaffPlan(StaffRole.HEAD, *_person(rng))]
    for _ in range(teachers):
        first, last = _person(rng)
        plans.append(StaffPlan(StaffRole.TEACHER, first, last, rng.random() < rate))
    return plans
