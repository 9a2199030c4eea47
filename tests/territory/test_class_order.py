"""The classes of a school in pedagogical order: by stage, then by first level (CP before CE1,
6e before 5e, Seconde before Première), then by name in natural order (2 before 10)."""

import random

from django.urls import reverse

from tests.factories import Role, SchoolClassFactory, SchoolFactory, user_with_role
from tne.territory.enums import SchoolKind, Stage, stage_of
from tne.territory.models import SchoolClass, class_order_key


def ordered(*classes: tuple[str, list[str]]) -> list[str]:
    """The names of ``(name, levels)`` classes once sorted, from a shuffled order."""
    rows = [
        SchoolClass(name=name, levels=levels, stage=stage_of(levels)) for name, levels in classes
    ]
    random.Random(4).shuffle(rows)
    return [row.name for row in sorted(rows, key=class_order_key)]


def test_elementary_classes_go_from_cp_to_cm2():
    assert ordered(
        ("CM2", ["CM2"]), ("CE1", ["CE1"]), ("CP", ["CP"]), ("CM1", ["CM1"]), ("CE2", ["CE2"])
    ) == ["CP", "CE1", "CE2", "CM1", "CM2"]


def test_maternelle_comes_before_elementary_and_goes_from_ps_to_gs():
    assert ordered(
        ("CP A", ["CP"]), ("GS", ["GS"]), ("PS", ["PS"]), ("MS", ["MS"]), ("TPS", ["TPS"])
    ) == ["TPS", "PS", "MS", "GS", "CP A"]


def test_a_multi_level_class_takes_the_place_of_its_lowest_level():
    assert ordered(
        ("CM1-CM2", ["CM1", "CM2"]), ("CE2", ["CE2"]), ("CE1-CE2", ["CE2", "CE1"]), ("CP", ["CP"])
    ) == ["CP", "CE1-CE2", "CE2", "CM1-CM2"]


def test_a_gs_cp_class_is_elementary_and_comes_first_there():
    assert ordered(("CP", ["CP"]), ("GS-CP", ["GS", "CP"]), ("MS", ["MS"])) == [
        "MS",
        "GS-CP",
        "CP",
    ]


def test_college_classes_go_from_sixieme_to_troisieme():
    assert ordered(
        ("3e A", ["3E"]), ("4e A", ["4E"]), ("5e A", ["5E"]), ("6e B", ["6E"]), ("6e A", ["6E"])
    ) == ["6e A", "6e B", "5e A", "4e A", "3e A"]


def test_lycee_classes_go_from_seconde_to_terminale_in_natural_order_of_names():
    assert ordered(
        ("Première 10", ["1ERE"]),
        ("Première 2", ["1ERE"]),
        ("Première 1", ["1ERE"]),
        ("Terminale 1", ["TLE"]),
        ("Seconde 3", ["2NDE"]),
        ("Seconde 12", ["2NDE"]),
    ) == ["Seconde 3", "Seconde 12", "Première 1", "Première 2", "Première 10", "Terminale 1"]


def test_names_compare_without_accents_or_case_and_unknown_levels_come_last():
    assert ordered(
        ("Atelier", ["AUTRE"]), ("cp b", ["CP"]), ("CP A", ["CP"]), ("Sans niveau", [])
    ) == ["CP A", "cp b", "Atelier", "Sans niveau"]


def test_the_school_page_lists_the_classes_in_pedagogical_order(client, tree):
    college = SchoolFactory(commune=tree.laon, kind=SchoolKind.COLLEGE)
    for name, level in [("3e A", "3E"), ("4e A", "4E"), ("5e A", "5E"), ("6e A", "6E")]:
        SchoolClassFactory(school=college, name=name, levels=[level], stage=Stage.COLLEGE)
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    response = client.get(reverse("territory:school_detail", args=[college.uai]))

    assert [c.name for c in response.context["classes"]] == ["6e A", "5e A", "4e A", "3e A"]
