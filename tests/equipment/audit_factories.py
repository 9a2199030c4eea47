"""Helpers of the socle audit tests: an elementary school with classes of the current year, and
audits written straight to the database (the services are tested on their own)."""

from tests.factories import SchoolClassFactory, SchoolFactory, SchoolYearFactory
from tne.equipment.models import ClassAudit, SchoolAudit
from tne.equipment.socle import CLASS_FIELDS, SCHOOL_FIELDS

FULL_CLASS = {name: True for name in CLASS_FIELDS}
FULL_SCHOOL = {name: True for name in SCHOOL_FIELDS}


def school_with_classes(commune, count=3, **kwargs):
    """A school of ``commune`` with ``count`` elementary classes of the current year, named
    « CP », « CE1 »… in order."""
    year = SchoolYearFactory()
    school = SchoolFactory(commune=commune, **kwargs)
    names = ["CP", "CE1", "CE2", "CM1", "CM2", "CP-CE1", "CE2-CM1", "CM1-CM2"]
    classes = []
    for i in range(count):
        name = names[i % len(names)]
        classes.append(
            SchoolClassFactory(
                school=school,
                year=year,
                name=name if i < len(names) else f"{name} {i}",
                levels=name.split("-"),
            )
        )
    return school, classes


def audit(school, answers_by_class=None, **school_answers):
    """The audit of ``school`` for the current year; each class of ``answers_by_class``
    (class → field → bool) audited with those answers (missing fields False)."""
    year = SchoolYearFactory()
    row, _ = SchoolAudit.objects.update_or_create(
        school=school,
        year=year,
        defaults={name: bool(school_answers.get(name)) for name in SCHOOL_FIELDS},
    )
    for school_class, answers in (answers_by_class or {}).items():
        ClassAudit.objects.update_or_create(
            school_class=school_class,
            defaults={"audit": row, **{n: bool(answers.get(n)) for n in CLASS_FIELDS}},
        )
    return row


def without(*fields):
    return {name: name not in fields for name in CLASS_FIELDS}
