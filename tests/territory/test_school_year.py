"""The current school year follows the date (it starts on 1 September, in Europe/Paris) unless
national steering pinned one in the admin."""

import datetime
from unittest.mock import patch

import pytest
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import SchoolClassFactory, SchoolFactory, SchoolYearFactory, UserFactory
from tne.core.models import AuditAction, AuditEvent
from tne.territory.models import SchoolClass, SchoolFigures, SchoolYear, school_year_label
from tne.territory.services import ensure_current_school_year, refresh_school_figures

pytestmark = pytest.mark.django_db

AUGUST_31, SEPTEMBER_1 = datetime.date(2026, 8, 31), datetime.date(2026, 9, 1)


def year(label: str, **kwargs) -> SchoolYear:
    start = int(label[:4])
    return SchoolYearFactory(
        label=label,
        starts_on=datetime.date(start, 9, 1),
        ends_on=datetime.date(start + 1, 7, 4),
        **kwargs,
    )


def on(day: datetime.date):
    return patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture
def years():
    return year("2025-2026"), year("2026-2027")


def test_a_school_year_starts_on_1_september():
    assert school_year_label(AUGUST_31) == "2025-2026"
    assert school_year_label(SEPTEMBER_1) == "2026-2027"
    assert school_year_label(datetime.date(2027, 1, 1)) == "2026-2027"


def test_the_current_year_changes_on_1_september(years):
    last, this = years

    assert SchoolYear.objects.current(today=AUGUST_31) == last
    assert SchoolYear.objects.current(today=SEPTEMBER_1) == this


def test_the_current_year_is_read_from_the_date_of_today(years):
    with on(AUGUST_31):
        assert SchoolYear.objects.current().label == "2025-2026"
    with on(SEPTEMBER_1):
        assert SchoolYear.objects.current().label == "2026-2027"


def test_the_date_is_the_date_in_paris(years):
    # 22:30 UTC on 31 August is half past midnight on 1 September in Paris.
    late_evening = datetime.datetime(2026, 8, 31, 22, 30, tzinfo=datetime.UTC)
    with patch("django.utils.timezone.now", return_value=late_evening):
        assert SchoolYear.objects.current().label == "2026-2027"


def test_a_year_pinned_by_steering_wins_over_the_date(years):
    last = years[0]
    SchoolYear.objects.filter(pk=last.pk).update(is_pinned=True)

    assert SchoolYear.objects.current(today=SEPTEMBER_1) == last
    assert SchoolYear.objects.current(today=datetime.date(2030, 1, 1)) == last


def test_without_a_row_for_the_year_of_the_date_there_is_no_current_year(years):
    assert SchoolYear.objects.current(today=datetime.date(2027, 9, 1)) is None


def test_only_one_year_may_be_pinned(years):
    SchoolYear.objects.filter(pk=years[0].pk).update(is_pinned=True)

    with pytest.raises(IntegrityError):
        SchoolYear.objects.filter(pk=years[1].pk).update(is_pinned=True)


def test_the_classes_of_the_current_year_follow_the_date(tree, years):
    last, this = years
    school = SchoolFactory(commune=tree.laon)
    old = SchoolClassFactory(school=school, year=last)
    new = SchoolClassFactory(school=school, year=this)

    with on(AUGUST_31):
        assert list(SchoolClass.objects.current()) == [old]
    with on(SEPTEMBER_1):
        assert list(SchoolClass.objects.current()) == [new]


def test_the_figures_count_the_classes_of_the_current_year(tree, years):
    last, this = years
    school = SchoolFactory(commune=tree.laon)
    SchoolClassFactory(school=school, year=last)
    SchoolClassFactory.create_batch(2, school=school, year=this)

    with on(AUGUST_31):
        refresh_school_figures()
    assert SchoolFigures.objects.get(school=school).classes == 1
    with on(SEPTEMBER_1):
        refresh_school_figures()
    assert SchoolFigures.objects.get(school=school).classes == 2


def test_ensuring_the_current_year_creates_the_year_of_the_date_once():
    created = ensure_current_school_year(today=SEPTEMBER_1)
    again = ensure_current_school_year(today=datetime.date(2027, 8, 31))

    assert again == created
    assert (created.label, created.starts_on, created.ends_on, created.is_pinned) == (
        "2026-2027",
        SEPTEMBER_1,
        datetime.date(2027, 8, 31),
        False,
    )
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(created.pk)).count() == 1
    )


def test_ensuring_the_current_year_keeps_a_pinned_year(years):
    SchoolYear.objects.filter(pk=years[0].pk).update(is_pinned=True)

    assert ensure_current_school_year(today=datetime.date(2027, 9, 1)) == years[0]
    assert SchoolYear.objects.filter(label="2027-2028").exists()  # Ready for when it is unpinned.


def test_pinning_a_year_in_the_admin_makes_it_current_and_refreshes_the_figures(
    client, tree, years
):
    last = years[0]
    school = SchoolFactory(commune=tree.laon)
    SchoolClassFactory(school=school, year=last)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with on(SEPTEMBER_1):
        refresh_school_figures()
        assert SchoolFigures.objects.get(school=school).classes == 0
        response = client.post(
            reverse("admin:territory_schoolyear_change", args=[last.pk]),
            {
                "label": last.label,
                "starts_on": last.starts_on.isoformat(),
                "ends_on": last.ends_on.isoformat(),
                "is_pinned": "on",
            },
        )
        listing = client.get(reverse("admin:territory_schoolyear_changelist"))

    assert response.status_code == 302
    assert SchoolYear.objects.current(today=SEPTEMBER_1) == last
    figures = SchoolFigures.objects.get(school=school)
    assert (figures.year, figures.classes) == (last, 1)
    shown = {y.label: y.is_current_year for y in listing.context["cl"].result_list}
    assert shown == {"2025-2026": True, "2026-2027": False}
