"""The per-school summary figures (``SchoolFigures``): what ``refresh_school_figures`` writes, that
it is idempotent and touches only the schools asked for, and that the admin of classes and staff
keeps them up to date."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    StaffFactory,
    UserFactory,
)
from tne.territory.enums import StaffRole, Stage
from tne.territory.models import SchoolClass, SchoolFigures, Staff
from tne.territory.services import refresh_school_figures


@pytest.fixture
def year(db):
    return SchoolYearFactory()


@pytest.fixture
def school(tree, year):
    return SchoolFactory(commune=tree.laon)


def figures_of(school) -> tuple:
    row = SchoolFigures.objects.get(school=school)
    return (
        row.classes,
        row.elementary_classes,
        row.pupils,
        row.synthetic_classes,
        row.teachers,
        row.new_teachers,
        row.synthetic_staff,
    )


def test_it_counts_the_classes_of_the_current_year_and_the_teachers(tree, year, school):
    last_year = SchoolYearFactory(label="2024-2025", starts_on="2024-09-01", ends_on="2025-07-05")
    SchoolClassFactory(school=school, year=year, headcount=20)
    SchoolClassFactory(school=school, year=year, headcount=22, is_synthetic=True)
    SchoolClassFactory(
        school=school, year=year, levels=["PS"], stage=Stage.PRE_ELEMENTARY, headcount=25
    )
    SchoolClassFactory(school=school, year=last_year, headcount=19)
    StaffFactory(school=school)
    StaffFactory(school=school, is_new_teacher=True, is_synthetic=True)
    StaffFactory(school=school, role=StaffRole.HEAD)

    assert refresh_school_figures(school_ids=[school.pk]) == 1

    assert figures_of(school) == (3, 2, 67, 1, 2, 1, 1)
    assert SchoolFigures.objects.get(school=school).year == year


def test_a_school_without_class_or_staff_gets_zeros(tree, school):
    refresh_school_figures()

    assert figures_of(school) == (0, 0, 0, 0, 0, 0, 0)


def test_the_figures_follow_created_and_deleted_classes_and_staff(tree, year, school):
    first = SchoolClassFactory(school=school, year=year, headcount=20)
    teacher = StaffFactory(school=school)
    refresh_school_figures(school_ids=[school.pk])
    assert figures_of(school) == (1, 1, 20, 0, 1, 0, 0)

    SchoolClassFactory(school=school, year=year, headcount=24)
    StaffFactory(school=school, is_new_teacher=True)
    refresh_school_figures(school_ids=[school.pk])
    assert figures_of(school) == (2, 2, 44, 0, 2, 1, 0)

    first.delete()
    teacher.delete()
    refresh_school_figures(school_ids=[school.pk])
    assert figures_of(school) == (1, 1, 24, 0, 1, 1, 0)


def test_a_second_refresh_changes_nothing(tree, year, school):
    SchoolClassFactory(school=school, year=year, headcount=20)
    StaffFactory(school=school)
    refresh_school_figures()
    before = figures_of(school)

    refresh_school_figures()

    assert figures_of(school) == before
    assert SchoolFigures.objects.count() == 1


def test_it_refreshes_only_the_schools_it_is_given(tree, year, school):
    other = SchoolFactory(commune=tree.soissons)
    refresh_school_figures()
    SchoolClassFactory(school=school, year=year)
    SchoolClassFactory(school=other, year=year)

    refresh_school_figures(school_ids=[school.pk, 987654])  # An unknown id is ignored.

    assert figures_of(school)[0] == 1
    assert figures_of(other)[0] == 0


def test_every_school_is_refreshed_across_batches(tree, year, monkeypatch):
    monkeypatch.setattr("tne.territory.services.BATCH_SIZE", 2)
    schools = [SchoolFactory(commune=tree.laon) for _ in range(5)]
    for index, school in enumerate(schools):
        SchoolClassFactory.create_batch(index, school=school, year=year)

    assert refresh_school_figures() == 5

    assert [figures_of(s)[0] for s in schools] == [0, 1, 2, 3, 4]


def test_without_current_year_no_class_is_counted(tree):
    school = SchoolFactory(commune=tree.laon)
    old = SchoolYearFactory(label="2024-2025", starts_on="2024-09-01", ends_on="2025-07-05")
    SchoolClassFactory(school=school, year=old)

    refresh_school_figures()

    assert figures_of(school)[0] == 0
    assert SchoolFigures.objects.get(school=school).year is None


# --- The admin keeps the figures up to date ---------------------------------------------------


@pytest.fixture
def superuser_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_adding_a_class_in_the_admin_refreshes_its_school(superuser_client, year, school):
    response = superuser_client.post(
        reverse("admin:territory_schoolclass_add"),
        {
            "school": school.pk,
            "year": year.pk,
            "name": "CP A",
            "levels": '["CP"]',
            "stage": Stage.ELEMENTARY,
            "headcount": 21,
        },
    )

    assert response.status_code == 302
    assert figures_of(school)[:3] == (1, 1, 21)


def test_moving_a_class_in_the_admin_refreshes_both_schools(superuser_client, tree, year, school):
    other = SchoolFactory(commune=tree.soissons)
    moved = SchoolClassFactory(school=school, year=year, name="CP A", headcount=21)
    refresh_school_figures()

    response = superuser_client.post(
        reverse("admin:territory_schoolclass_change", args=[moved.pk]),
        {
            "school": other.pk,
            "year": year.pk,
            "name": "CP A",
            "levels": '["CP"]',
            "stage": Stage.ELEMENTARY,
            "headcount": 21,
        },
    )

    assert response.status_code == 302
    assert figures_of(school)[0] == 0
    assert figures_of(other)[0] == 1


def test_deleting_classes_in_the_admin_refreshes_their_schools(superuser_client, year, school):
    classes = SchoolClassFactory.create_batch(3, school=school, year=year)
    refresh_school_figures()

    superuser_client.post(
        reverse("admin:territory_schoolclass_delete", args=[classes[0].pk]), {"post": "yes"}
    )
    assert figures_of(school)[0] == 2

    superuser_client.post(
        reverse("admin:territory_schoolclass_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in classes[1:]],
            "post": "yes",
        },
    )
    assert not SchoolClass.objects.exists()
    assert figures_of(school)[0] == 0


def test_the_staff_admin_refreshes_the_teacher_figures(superuser_client, school):
    response = superuser_client.post(
        reverse("admin:territory_staff_add"),
        {
            "school": school.pk,
            "role": StaffRole.TEACHER,
            "first_name": "Anne",
            "last_name": "Martin",
            "email": "",
            "is_new_teacher": "on",
        },
    )
    assert response.status_code == 302
    assert figures_of(school)[4:6] == (1, 1)

    teacher = Staff.objects.get()
    superuser_client.post(
        reverse("admin:territory_staff_delete", args=[teacher.pk]), {"post": "yes"}
    )
    assert figures_of(school)[4:6] == (0, 0)


def test_the_refresh_figures_command_recomputes_every_school(tree):
    school = SchoolFactory(commune=tree.laon)
    SchoolClassFactory(school=school, headcount=21)
    out = StringIO()

    call_command("refresh_figures", stdout=out)

    assert SchoolFigures.objects.get(school=school).pupils == 21
    assert "1 établissements" in out.getvalue()
