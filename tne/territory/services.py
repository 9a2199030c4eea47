"""Writes of the territory app outside the importers: school years, classes and staff (one
service per write, each with its audit event: the admin calls them too), the school year of the
date, the summary figures of the schools.

``SchoolFigures`` holds, per school, what the dashboard and the school list would otherwise count
over the whole classes and staff tables on every page. Whatever writes classes or staff (the
demo synthesis, the bench, the admin) calls :func:`refresh_school_figures` afterwards."""

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tne.core.audit import create_audited, delete_audited, record, update_audited
from tne.core.models import AuditAction, AuditSource

from .enums import StaffRole, Stage
from .models import (
    School,
    SchoolClass,
    SchoolFigures,
    SchoolYear,
    Staff,
    school_year_label,
    school_year_start,
)

BATCH_SIZE = 2000
FIGURE_FIELDS = [
    "year",
    "classes",
    "elementary_classes",
    "pupils",
    "synthetic_classes",
    "teachers",
    "new_teachers",
    "synthetic_staff",
    "refreshed_at",
]


@transaction.atomic
def school_year_create(
    *,
    label: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    is_pinned: bool = False,
    actor=None,
    source: str = AuditSource.UI,
) -> SchoolYear:
    year = SchoolYear(label=label, starts_on=starts_on, ends_on=ends_on, is_pinned=is_pinned)
    create_audited(year, actor=actor, source=source)
    refresh_school_figures()  # The figures count the classes of the current year.
    return year


@transaction.atomic
def school_year_update(
    *, year: SchoolYear, values: dict, actor=None, source: str = AuditSource.UI
) -> SchoolYear:
    """Changes the fields of ``values``; pinning or renaming a year refreshes every figure."""
    before = (year.label, year.is_pinned)
    update_audited(year, values, actor=actor, source=source)
    if (year.label, year.is_pinned) != before:
        refresh_school_figures()
    return year


@transaction.atomic
def school_year_delete(*, year: SchoolYear, actor=None, source: str = AuditSource.UI) -> None:
    """Deletes a year with no class (a class protects its year)."""
    delete_audited(year, actor=actor, source=source)
    refresh_school_figures()


@transaction.atomic
def class_create(
    *,
    school: School,
    year: SchoolYear,
    name: str,
    stage: str,
    levels: list[str],
    headcount: int,
    is_synthetic: bool = False,
    actor=None,
    source: str = AuditSource.UI,
) -> SchoolClass:
    school_class = SchoolClass(
        school=school,
        year=year,
        name=name,
        stage=stage,
        levels=levels,
        headcount=headcount,
        is_synthetic=is_synthetic,
    )
    create_audited(school_class, actor=actor, source=source)
    refresh_school_figures(school_ids=[school.pk])
    return school_class


@transaction.atomic
def class_update(
    *, school_class: SchoolClass, values: dict, actor=None, source: str = AuditSource.UI
) -> SchoolClass:
    """Changes the fields of ``values``; the figures of its school (both, if it moved) follow."""
    before = school_class.school_id
    update_audited(school_class, values, actor=actor, source=source)
    refresh_school_figures(school_ids={before, school_class.school_id})
    return school_class


@transaction.atomic
def class_delete(*, school_class: SchoolClass, actor=None, source: str = AuditSource.UI) -> None:
    school_id = school_class.school_id
    delete_audited(school_class, actor=actor, source=source)
    refresh_school_figures(school_ids=[school_id])


@transaction.atomic
def staff_create(
    *,
    school: School,
    role: str,
    first_name: str,
    last_name: str,
    email: str = "",
    is_new_teacher: bool = False,
    user=None,
    is_synthetic: bool = False,
    actor=None,
    source: str = AuditSource.UI,
) -> Staff:
    """A member of staff; the audit event names no one (``Staff.PERSONAL_FIELDS``)."""
    staff = Staff(
        school=school,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_new_teacher=is_new_teacher,
        user=user,
        is_synthetic=is_synthetic,
    )
    create_audited(staff, actor=actor, source=source)
    refresh_school_figures(school_ids=[school.pk])
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, values: dict, actor=None, source: str = AuditSource.UI) -> Staff:
    before = staff.school_id
    update_audited(staff, values, actor=actor, source=source)
    refresh_school_figures(school_ids={before, staff.school_id})
    return staff


@transaction.atomic
def staff_delete(*, staff: Staff, actor=None, source: str = AuditSource.UI) -> None:
    school_id = staff.school_id
    delete_audited(staff, actor=actor, source=source)
    refresh_school_figures(school_ids=[school_id])


@transaction.atomic
def ensure_current_school_year(
    *, today: datetime.date | None = None, source: str = AuditSource.CLI
) -> SchoolYear:
    """The current school year (``SchoolYear.objects.current()``), after creating the year of
    the date when it has no row yet: from 1 September to 31 August (audited). A year pinned
    by steering stays current. Idempotent."""
    today = today or timezone.localdate()
    start = school_year_start(today)
    year, created = SchoolYear.objects.get_or_create(
        label=school_year_label(today),
        defaults={
            "starts_on": datetime.date(start, 9, 1),
            "ends_on": datetime.date(start + 1, 8, 31),
        },
    )
    if created:
        record(year, AuditAction.CREATE, source=source)
    return SchoolYear.objects.current(today=today)


def _batches(pks: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(pks), BATCH_SIZE):
        yield pks[start : start + BATCH_SIZE]


def _class_figures(year: SchoolYear | None, schools: Q) -> dict[int, dict]:
    if year is None:
        return {}
    rows = (
        SchoolClass.objects.filter(schools, year=year)
        .order_by()
        .values("school_id")
        .annotate(
            classes=Count("pk"),
            elementary_classes=Count("pk", filter=Q(stage=Stage.ELEMENTARY)),
            pupils=Sum("headcount"),
            synthetic_classes=Count("pk", filter=Q(is_synthetic=True)),
        )
    )
    return {row.pop("school_id"): row for row in rows}


def _staff_figures(schools: Q) -> dict[int, dict]:
    rows = (
        Staff.objects.filter(schools, role=StaffRole.TEACHER)
        .order_by()
        .values("school_id")
        .annotate(
            teachers=Count("pk"),
            new_teachers=Count("pk", filter=Q(is_new_teacher=True)),
            synthetic_staff=Count("pk", filter=Q(is_synthetic=True)),
        )
    )
    return {row.pop("school_id"): row for row in rows}


def _refresh_batch(pks: Sequence[int], schools: Q, year: SchoolYear | None) -> int:
    classes, staff = _class_figures(year, schools), _staff_figures(schools)
    now = timezone.now()
    rows = [
        SchoolFigures(
            school_id=pk, year=year, refreshed_at=now, **classes.get(pk, {}), **staff.get(pk, {})
        )
        for pk in pks
    ]
    SchoolFigures.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE // 2,
        update_conflicts=True,
        unique_fields=["school"],
        update_fields=FIGURE_FIELDS,
    )
    return len(rows)


@transaction.atomic
def refresh_school_figures(*, school_ids: Iterable[int] | None = None) -> int:
    """Recomputes the ``SchoolFigures`` row of the given schools (every school when ``None``)
    from the classes of the current year and the teachers, two grouped queries per batch of
    schools, and writes it whether it existed or not. Idempotent; unknown ids are ignored.
    Returns the number of schools refreshed."""
    year = SchoolYear.objects.current()
    refreshed = 0
    if school_ids is None:
        pks = list(School.objects.order_by("pk").values_list("pk", flat=True))
        for batch in _batches(pks):
            # A batch of every school is a range of ids: an index range, no long IN list.
            schools = Q(school_id__gte=batch[0], school_id__lte=batch[-1])
            refreshed += _refresh_batch(batch, schools, year)
        return refreshed
    for batch in _batches(sorted(set(school_ids))):
        existing = list(School.objects.filter(pk__in=batch).values_list("pk", flat=True))
        if existing:
            refreshed += _refresh_batch(existing, Q(school_id__in=existing), year)
    return refreshed
