import datetime
from unittest.mock import patch

from django.db.models import Count, F, Sum

from tne.demo.circonscriptions import circonscription_name
from tne.demo.synthesis import synthesise
from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, StaffRole, Stage
from tne.territory.models import (
    School,
    SchoolClass,
    SchoolFigures,
    SchoolYear,
    Staff,
    TerritoryNode,
)


def snapshot():
    classes = sorted(
        SchoolClass.objects.values_list("school__uai", "name", "levels", "headcount", "stage")
    )
    staff = sorted(
        Staff.objects.values_list(
            "school__uai", "role", "first_name", "last_name", "is_new_teacher"
        )
    )
    schools = sorted(
        School.objects.values_list("uai", "education_network", "circonscription__code")
    )
    return classes, staff, schools


def test_the_synthesis_is_deterministic_for_a_seed(small_territory, calibration):
    synthesise(calibration=calibration, seed=11)
    first = snapshot()
    SchoolClass.objects.all().delete()
    Staff.objects.all().delete()
    School.objects.update(circonscription=None)

    synthesise(calibration=calibration, seed=11)
    assert snapshot() == first

    SchoolClass.objects.all().delete()
    Staff.objects.all().delete()
    synthesise(calibration=calibration, seed=12)
    assert snapshot()[0] != first[0]


def test_a_second_synthesis_writes_nothing(small_territory, calibration):
    synthesise(calibration=calibration, seed=1)
    before = snapshot()

    again = synthesise(calibration=calibration, seed=1)

    assert (again.classes, again.staff, again.networks, again.circonscription_links) == (0, 0, 0, 0)
    assert snapshot() == before


def on(day: datetime.date):
    """Today is ``day`` (in Europe/Paris) for the code under test."""
    return patch("django.utils.timezone.localdate", return_value=day)


def test_it_synthesises_the_classes_of_the_school_year_of_the_date(small_territory, calibration):
    with on(datetime.date(2026, 12, 1)):
        synthesise(calibration=calibration, seed=1)
        current = SchoolYear.objects.current()

    assert list(SchoolYear.objects.values_list("label", "starts_on", "ends_on", "is_pinned")) == [
        ("2026-2027", datetime.date(2026, 9, 1), datetime.date(2027, 8, 31), False)
    ]
    assert current.label == "2026-2027"
    assert SchoolClass.objects.exists()
    assert not SchoolClass.objects.exclude(year=current).exists()
    assert set(SchoolFigures.objects.values_list("year__label", flat=True)) == {"2026-2027"}


def test_a_demo_of_last_year_gets_the_classes_of_the_new_year_and_counts_them(
    small_territory, calibration
):
    with on(datetime.date(2026, 3, 1)):
        synthesise(calibration=calibration, seed=1)
    old_classes = SchoolClass.objects.filter(year__label="2025-2026").count()
    staff = Staff.objects.count()

    with on(datetime.date(2026, 12, 1)):
        result = synthesise(calibration=calibration, seed=1)
        again = synthesise(calibration=calibration, seed=1)

    new_year = SchoolClass.objects.filter(year__label="2026-2027")
    assert result.classes == new_year.count() == old_classes  # Same plans, same calibration.
    assert SchoolClass.objects.filter(year__label="2025-2026").count() == old_classes
    assert result.staff == 0 and Staff.objects.count() == staff
    assert (again.classes, again.staff) == (0, 0)
    counted = SchoolFigures.objects.aggregate(classes=Sum("classes"))["classes"]
    assert counted == new_year.count()
    assert set(SchoolFigures.objects.values_list("year__label", flat=True)) == {"2026-2027"}


def test_a_year_pinned_by_steering_gets_the_classes(small_territory, calibration):
    pinned = SchoolYear.objects.create(
        label="2025-2026",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 7, 4),
        is_pinned=True,
    )

    with on(datetime.date(2026, 12, 1)):
        synthesise(calibration=calibration, seed=1)

    assert SchoolClass.objects.exists()
    assert not SchoolClass.objects.exclude(year=pinned).exists()
    assert not SchoolClass.objects.filter(year__label="2026-2027").exists()


def test_the_classes_respect_the_calibration_rules(small_territory, calibration):
    synthesise(calibration=calibration, seed=1)
    classes = SchoolClass.objects.select_related("school")

    assert classes.exists() and not classes.filter(is_synthetic=False).exists()
    first_degree = set(SchoolKind.first_degree())
    for school_class in classes:
        in_ecole = school_class.school.kind in first_degree
        assert in_ecole == (school_class.stage in (Stage.ELEMENTARY, Stage.PRE_ELEMENTARY))
        assert 1 <= school_class.headcount <= (28 if in_ecole else 45)
        halved = {"CP", "CE1"} & set(school_class.levels)
        if halved and school_class.school.education_network != EducationNetwork.NONE:
            assert school_class.headcount <= 12
    assert set(classes.values_list("school__kind", flat=True)) == set(
        School.objects.values_list("kind", flat=True)
    )


def test_every_school_has_one_head_and_teachers(small_territory, calibration):
    synthesise(calibration=calibration, seed=1)

    heads = Staff.objects.filter(role=StaffRole.HEAD).values("school").annotate(n=Count("pk"))
    assert {row["n"] for row in heads} == {1}
    assert len(heads) == School.objects.count()
    assert not School.objects.exclude(staff__role=StaffRole.TEACHER).exists()
    assert not Staff.objects.filter(is_synthetic=False).exists()
    assert not Staff.objects.filter(role=StaffRole.HEAD, is_new_teacher=True).exists()


def test_circonscriptions_cover_every_ecole_of_a_pilot_departement(small_territory, calibration):
    synthesise(calibration=calibration, seed=1)

    ecoles = School.objects.first_degree()
    assert not ecoles.filter(circonscription__isnull=True).exists()
    assert not ecoles.exclude(circonscription__parent=F("departement")).exists()
    circonscriptions = TerritoryNode.objects.filter(kind=NodeKind.CIRCONSCRIPTION)
    for circonscription in circonscriptions:
        assert circonscription.code[:2] == circonscription.parent.code
        assert circonscription.name.startswith("Circonscription d")
        assert circonscription.path.startswith(circonscription.parent.path)
    assert all("circonscription" in e.synthesised_fields for e in ecoles)
    assert not School.objects.exclude(kind__in=SchoolKind.first_degree()).filter(
        circonscription__isnull=False
    )


def test_the_network_of_ecoles_outside_the_sample_follows_their_ips(small_territory, calibration):
    synthesise(calibration=calibration, seed=1)

    aisne = School.objects.first_degree().filter(departement__code="02").order_by("ips")
    networks = list(aisne.values_list("education_network", flat=True))
    # 17 public écoles: REP+ 5/93 → 1, REP 15/93 → 3, the lowest IPS first; the private one none.
    assert networks[:4] == [EducationNetwork.REP_PLUS] + [EducationNetwork.REP] * 3
    assert set(networks[4:]) == {EducationNetwork.NONE}
    assert all("education_network" in e.synthesised_fields for e in aisne)


def test_a_college_without_open_data_counts_borrows_those_of_its_departement(
    small_territory, calibration
):
    synthesise(calibration=calibration, seed=1)

    filled = School.objects.get(kind=SchoolKind.COLLEGE, commune__code="95500")
    assert filled.pupils_by_level == {"6E": 80, "5E": 75}
    assert filled.synthesised_fields == ["pupils_by_level"]
    assert filled.classes.count() == 6


def test_circonscription_names_follow_french_elision():
    assert circonscription_name("Laon") == "Circonscription de Laon"
    assert circonscription_name("Hirson") == "Circonscription d'Hirson"
    assert circonscription_name("Le Nouvion-en-Thiérache") == (
        "Circonscription du Nouvion-en-Thiérache"
    )
    assert circonscription_name("Les Mureaux") == "Circonscription des Mureaux"
