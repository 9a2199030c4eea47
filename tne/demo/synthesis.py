"""Writing what open data does not give for the schools of the pilot départements: the current
school year (the year of the date, unless steering pinned one: ``SchoolYear.objects.current()``),
the REP / REP+ flag of écoles outside the 2025 sample, the pupils per level of the collèges
missing from the 2021 file, then the classes of the current year and the staff of every school
that has none, and last the summary figures of every school (``SchoolFigures``).

Everything is deterministic for a seed (one generator per school, seeded by the seed and the UAI)
and idempotent: a school that already has classes in the current year (or staff) is left alone,
a flag already right is not rewritten, so a second run writes nothing. A database filled by an
older demo, whose classes belong to 2025-2026, gets the classes of the current year besides them
(the same plans: the calibration is still the 2025 sample) and keeps its staff; the figures then
count the current year.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from tne.core.progress import Progress
from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Sector, stage_of
from tne.territory.models import School, SchoolClass, SchoolYear, Staff, TerritoryNode
from tne.territory.services import ensure_current_school_year, refresh_school_figures

from . import marks
from .calibration import Calibration
from .circonscriptions import create_circonscriptions
from .classes import ClassPlan, college_classes, ecole_classes, lycee_classes
from .marks import marked
from .staff import staff_plans, teacher_count


@dataclass
class SynthesisResult:
    networks: int = 0
    circonscription_links: int = 0
    colleges_filled: int = 0
    classes: int = 0
    staff: int = 0
    figures: int = 0  # Schools whose summary figures were refreshed.


@transaction.atomic
def synthesise_networks(*, departement: TerritoryNode, calibration: Calibration) -> int:
    """Real flag for the écoles of the sample; for the others, the public écoles with the lowest
    IPS become REP+ then REP in the sample's proportions. Returns the number of écoles changed."""
    ecoles = list(
        School.objects.first_degree()
        .filter(departement=departement)
        .only("pk", "uai", "sector", "ips", "education_network", "synthesised_fields")
    )
    share_rep, share_plus = calibration.network_shares(departement.code)
    drawn = sorted(
        (e for e in ecoles if e.uai not in calibration.ecoles and e.sector == Sector.PUBLIC),
        key=lambda e: (e.ips is None, e.ips or 0, e.uai),
    )
    n_plus = round(share_plus * len(drawn))
    n_rep = round(share_rep * len(drawn))
    wanted = {e.pk: EducationNetwork.NONE for e in ecoles}
    for rank, ecole in enumerate(drawn):
        if ecole.ips is not None and rank < n_plus:
            wanted[ecole.pk] = EducationNetwork.REP_PLUS
        elif ecole.ips is not None and rank < n_plus + n_rep:
            wanted[ecole.pk] = EducationNetwork.REP
    changed = []
    for ecole in ecoles:
        real = calibration.ecoles.get(ecole.uai)
        network = real.network if real else wanted[ecole.pk]
        fields = marked(ecole.synthesised_fields, marks.EDUCATION_NETWORK, real is None)
        if ecole.education_network != network or ecole.synthesised_fields != fields:
            ecole.education_network, ecole.synthesised_fields = network, fields
            changed.append(ecole)
    School.objects.bulk_update(changed, ["education_network", "synthesised_fields"], batch_size=500)
    return len(changed)


@transaction.atomic
def fill_college_pupils(*, departement: TerritoryNode, seed: int) -> int:
    """A collège without pupils per level in open data borrows those of a collège of the same
    département drawn at random (recorded in ``synthesised_fields``)."""
    colleges = list(
        School.objects.filter(departement=departement, kind=SchoolKind.COLLEGE)
        .order_by("uai")
        .only("pk", "uai", "pupils_by_level", "synthesised_fields")
    )
    donors = [c.pupils_by_level for c in colleges if c.pupils_by_level]
    missing = [c for c in colleges if not c.pupils_by_level]
    if not donors:
        return 0
    for college in missing:
        college.pupils_by_level = dict(random.Random(f"{seed}:{college.uai}:pupils").choice(donors))
        college.synthesised_fields = marked(college.synthesised_fields, marks.PUPILS_BY_LEVEL)
    School.objects.bulk_update(missing, ["pupils_by_level", "synthesised_fields"], batch_size=500)
    return len(missing)


def plan_school(school: School, *, calibration: Calibration, departement: str, seed: int):
    """(class plans, staff plans) of one school, always the same for a seed."""
    rng = random.Random(f"{seed}:{school.uai}:classes")
    fte_per_class = 1.0
    if school.kind in SchoolKind.first_degree():
        figures = calibration.figures_for(
            uai=school.uai, departement=departement, kind=school.kind, seed=seed
        )
        fte_per_class = figures.fte_per_class
        classes = ecole_classes(
            rng,
            pre_elementary=figures.pre_elementary,
            elementary=figures.elementary,
            ulis=figures.ulis,
            classes=figures.classes,
            network=school.education_network,
        )
    elif school.kind == SchoolKind.COLLEGE:
        classes = college_classes(school.pupils_by_level)
    else:
        classes = lycee_classes(rng, school.kind)
    teachers = teacher_count(
        kind=school.kind,
        classes=len(classes),
        pupils=sum(c.headcount for c in classes),
        fte_per_class=fte_per_class,
    )
    staff = staff_plans(
        random.Random(f"{seed}:{school.uai}:staff"),
        teachers=teachers,
        network=school.education_network,
    )
    return classes, staff


def _class_row(school: School, year: SchoolYear, plan: ClassPlan) -> SchoolClass:
    return SchoolClass(
        school=school,
        year=year,
        name=plan.name,
        levels=list(plan.levels),
        stage=stage_of(list(plan.levels)),
        headcount=plan.headcount,
        is_synthetic=True,
    )


@transaction.atomic
def synthesise_classes_and_staff(
    *, year: SchoolYear, calibration: Calibration, seed: int, progress: Progress | None = None
) -> tuple[int, int]:
    """Classes and staff for every school of a pilot département that has none."""
    progress = progress or Progress()
    pilot = School.objects.filter(departement__is_pilot=True)
    # The schools of the pilot as ids, and no ordering: the rows written in this transaction are
    # not in PostgreSQL's statistics yet, and the subquery joined to the default orderings gave
    # a nested-loop plan over 24,000 staff × 1,152 schools × the nodes that ran for minutes.
    pilot_ids = list(pilot.order_by().values_list("pk", flat=True))
    with_classes = set(
        SchoolClass.objects.filter(year=year, school_id__in=pilot_ids)
        .order_by()
        .values_list("school_id", flat=True)
        .distinct()
    )
    with_staff = set(
        Staff.objects.filter(school_id__in=pilot_ids)
        .order_by()
        .values_list("school_id", flat=True)
        .distinct()
    )
    schools = [
        s
        for s in pilot.select_related("departement").order_by("uai")
        if s.pk not in with_classes or s.pk not in with_staff
    ]
    progress.start(len(schools), "Classes et personnels synthétiques")
    class_rows, staff_rows = [], []
    for school in schools:
        classes, staff = plan_school(
            school, calibration=calibration, departement=school.departement.code, seed=seed
        )
        if school.pk not in with_classes:
            class_rows += [_class_row(school, year, plan) for plan in classes]
        if school.pk not in with_staff:
            staff_rows += [
                Staff(
                    school=school,
                    role=plan.role,
                    first_name=plan.first_name,
                    last_name=plan.last_name,
                    is_new_teacher=plan.is_new_teacher,
                    is_synthetic=True,
                )
                for plan in staff
            ]
        progress.advance()
    progress.close()
    SchoolClass.objects.bulk_create(class_rows, batch_size=1000)
    Staff.objects.bulk_create(staff_rows, batch_size=1000)
    return len(class_rows), len(staff_rows)


def synthesise(
    *, calibration: Calibration, seed: int, progress: Progress | None = None
) -> SynthesisResult:
    result = SynthesisResult()
    # The classes of the current year (the year of the date, unless steering pinned one), still
    # calibrated on the 2025 sample.
    year = ensure_current_school_year()
    for departement in TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, is_pilot=True):
        result.networks += synthesise_networks(departement=departement, calibration=calibration)
        result.colleges_filled += fill_college_pupils(departement=departement, seed=seed)
        result.circonscription_links += create_circonscriptions(departement=departement, seed=seed)
    result.classes, result.staff = synthesise_classes_and_staff(
        year=year, calibration=calibration, seed=seed, progress=progress
    )
    # Every school, not only the ones just synthesised: the current year may have changed.
    result.figures = refresh_school_figures()
    return result
