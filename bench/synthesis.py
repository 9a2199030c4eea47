"""Step 3: classes and staff at national scale, synthesised with a fixed seed and written with
PostgreSQL ``COPY`` (about 640,000 rows of each), then ``VACUUM ANALYZE``: the state autovacuum
reaches in production (statistics and visibility map, so that index-only scans work).

Then the per-school summary figures the pages read (``SchoolFigures``), with the application's
service ``refresh_school_figures``.

Per school: 8 to 12 classes in an école (pre-elementary and elementary levels by kind, some
double-level classes), 20 to 30 in a collège, 28 to 42 in a lycée; one teacher per class (3 % of
them new teachers) and one head per school."""

import json
import random
import time
from collections import Counter

from django.db import connection, transaction

from tne.territory.enums import SchoolKind, StaffRole, Stage, stage_of
from tne.territory.models import (
    School,
    SchoolClass,
    SchoolFigures,
    SchoolYear,
    Staff,
    TerritoryNode,
)
from tne.territory.services import refresh_school_figures

SEED = 2025
NEW_TEACHER_SHARE = 0.03
DOUBLE_LEVEL_SHARE = 0.2
HEAD, TEACHER = str(StaffRole.HEAD), str(StaffRole.TEACHER)

PRE_ELEMENTARY = ["PS", "MS", "GS"]
ELEMENTARY = ["CP", "CE1", "CE2", "CM1", "CM2"]
COLLEGE = ["6E", "5E", "4E", "3E"]
LYCEE_GT = ["2NDE", "1ERE", "TLE"]
LYCEE_PRO = ["2NDE", "1ERE", "TLE", "CAP"]

FIRST_NAMES = (  # noqa: SIM905 — a word list reads better as one string
    "Camille Léa Manon Chloé Emma Inès Jade Louise Sarah Julie Claire Anne Marie Sophie Nadia "
    "Lucas Hugo Louis Gabriel Arthur Jules Thomas Nicolas Julien Karim Mehdi Paul Antoine Yann"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Benali Nguyen Diallo Haddad Lopez Fontaine"
).split()


def _levels_of_kind(kind: str) -> tuple[list[str], tuple[int, int], tuple[int, int]]:
    """(levels, class count range, headcount range) of a school kind."""
    if kind == SchoolKind.MATERNELLE:
        return PRE_ELEMENTARY, (3, 6), (22, 29)
    if kind == SchoolKind.ELEMENTAIRE:
        return ELEMENTARY, (8, 12), (18, 27)
    if kind == SchoolKind.PRIMAIRE:
        return PRE_ELEMENTARY + ELEMENTARY, (8, 12), (18, 27)
    if kind == SchoolKind.COLLEGE:
        return COLLEGE, (20, 30), (22, 30)
    if kind == SchoolKind.LYCEE_PRO:
        return LYCEE_PRO, (28, 42), (15, 30)
    return LYCEE_GT, (28, 42), (24, 35)


def classes_of(school_id: int, kind: str, rng: random.Random):
    """(name, levels, stage, headcount) of each synthetic class of one school."""
    levels, count_range, headcount_range = _levels_of_kind(kind)
    count = rng.randint(*count_range)
    letters: Counter = Counter()
    first_degree = kind in SchoolKind.first_degree()
    for index in range(count):
        position = index * len(levels) // count
        class_levels = [levels[position]]
        if first_degree and position + 1 < len(levels) and rng.random() < DOUBLE_LEVEL_SHARE:
            class_levels.append(levels[position + 1])
        base = "-".join(class_levels)
        letters[base] += 1
        name = f"{base} {chr(64 + letters[base]) if letters[base] <= 26 else letters[base]}"
        yield name, class_levels, str(stage_of(class_levels)), rng.randint(*headcount_range)


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def synthesise(year: SchoolYear) -> dict:
    """Writes the classes of ``year`` (the current year) and the staff of every school; returns
    counts and timings. Does nothing when the year already has classes (a re-run); writes no
    staff when there is some already (a re-run in a new school year: staff has no year)."""
    if SchoolClass.objects.filter(year=year).exists():
        return {}
    with_staff = Staff.objects.exists()
    rng = random.Random(SEED)
    schools = list(School.objects.order_by("pk").values_list("pk", "kind"))
    class_table, staff_table = SchoolClass._meta.db_table, Staff._meta.db_table
    stages: Counter = Counter()
    counts = {"classes": 0, "staff": 0, "new_teachers": 0}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {class_table} (school_id, year_id, name, levels, stage, headcount, "
            "is_synthetic) FROM STDIN"
        ) as copy:
            teachers_per_school = []
            for school_id, kind in schools:
                n = 0
                for name, levels, stage, headcount in classes_of(school_id, kind, rng):
                    copy.write_row(
                        (school_id, year.pk, name, json.dumps(levels), stage, headcount, True)
                    )
                    stages[stage] += 1
                    n += 1
                teachers_per_school.append((school_id, n))
                counts["classes"] += n
        classes_seconds = time.perf_counter() - started
        started = time.perf_counter()
        if with_staff:
            teachers_per_school = []
        with raw.copy(
            f"COPY {staff_table} (school_id, role, first_name, last_name, email, "
            "is_new_teacher, is_synthetic) FROM STDIN"
        ) as copy:
            for school_id, n in teachers_per_school:
                first, last = _person(rng)
                copy.write_row((school_id, HEAD, first, last, "", False, True))
                for _ in range(n):
                    first, last = _person(rng)
                    is_new = rng.random() < NEW_TEACHER_SHARE
                    copy.write_row((school_id, TEACHER, first, last, "", is_new, True))
                    counts["new_teachers"] += is_new
                counts["staff"] += n + 1
        staff_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (TerritoryNode, School, SchoolClass, Staff):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        cursor.execute("ANALYZE")
    analyze_seconds = time.perf_counter() - started
    return {
        **counts,
        "elementary_classes": stages[Stage.ELEMENTARY],
        "classes_seconds": round(classes_seconds, 2),
        "staff_seconds": round(staff_seconds, 2),
        "analyze_seconds": round(analyze_seconds, 2),
    }


def refresh_figures(year: SchoolYear) -> dict:
    """The summary figures of every school (``SchoolFigures``) by the application's service,
    then ``VACUUM ANALYZE`` of their table; skipped when every school already has its row of
    ``year`` (a re-run). Returns the count and the timing, empty when skipped."""
    if SchoolFigures.objects.filter(year=year).count() == School.objects.count():
        return {}
    started = time.perf_counter()
    refreshed = refresh_school_figures()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {SchoolFigures._meta.db_table}")
    return {"figures": refreshed, "figures_seconds": round(time.perf_counter() - started, 2)}
