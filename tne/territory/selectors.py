"""Reads of the territory app for the pages: the dashboard figures and the lists of the territory
browser. Every function starts from ``.visible_to(user)`` and makes a fixed number of queries,
whatever the number of schools."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tne.core.scope import scope_of

from .enums import EducationNetwork, NodeKind, SchoolKind, Stage
from .models import School, SchoolClass, SchoolYear, Staff, TerritoryNode

# National targets of the programme, compared with the figures of a national scope only.
TARGET_ELEMENTARY_CLASSES = 2_700  # Mesure 4 : classes élémentaires équipées.
TARGET_CLASSES = 15_000  # Mesure 5 : classes.
TARGET_NEW_TEACHERS = 1_000  # Mesure 7 : nouveaux professeurs formés.

UAI_RE = re.compile(r"^\d{7}[A-Z]$")


def _count_of(rows: QuerySet, field: str):
    """A correlated ``COUNT`` of ``rows`` whose ``field`` is the outer row, 0 when none: only
    evaluated for the rows of the page, and dropped by Django from ``.count()`` queries."""
    counted = rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


# --- Dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    ecoles: int
    colleges: int
    lycees: int
    year: SchoolYear | None
    classes: int
    elementary_classes: int
    pupils: int
    synthetic_classes: int
    # None when the user may not read data about people.
    teachers: int | None
    new_teachers: int | None
    synthetic_staff: int
    national: bool

    @property
    def schools(self) -> int:
        return self.ecoles + self.colleges + self.lycees

    @property
    def has_synthetic(self) -> bool:
        return bool(self.synthetic_classes or self.synthetic_staff)


def dashboard_figures(user) -> DashboardFigures:
    """Counts of schools, classes of the current year, pupils and (for roles that may see people)
    teachers in the user's scope: at most four queries."""
    scope = scope_of(user)
    schools = School.objects.visible_to(user).aggregate(
        ecoles=Count("pk", filter=Q(kind__in=SchoolKind.first_degree())),
        colleges=Count("pk", filter=Q(kind=SchoolKind.COLLEGE)),
        lycees=Count("pk", filter=Q(kind__in=SchoolKind.lycees())),
    )
    year = SchoolYear.objects.filter(is_current=True).first()
    classes = {"classes": 0, "elementary": 0, "pupils": 0, "synthetic": 0}
    if year is not None:
        classes = (
            SchoolClass.objects.visible_to(user)
            .filter(year=year)
            .aggregate(
                classes=Count("pk"),
                elementary=Count("pk", filter=Q(stage=Stage.ELEMENTARY)),
                pupils=Coalesce(Sum("headcount"), 0),
                synthetic=Count("pk", filter=Q(is_synthetic=True)),
            )
        )
    staff = {"teachers": None, "new": None, "synthetic": 0}
    if scope.people:
        staff = (
            Staff.objects.visible_to(user)
            .teachers()
            .aggregate(
                teachers=Count("pk"),
                new=Count("pk", filter=Q(is_new_teacher=True)),
                synthetic=Count("pk", filter=Q(is_synthetic=True)),
            )
        )
    return DashboardFigures(
        ecoles=schools["ecoles"],
        colleges=schools["colleges"],
        lycees=schools["lycees"],
        year=year,
        classes=classes["classes"],
        elementary_classes=classes["elementary"],
        pupils=classes["pupils"],
        synthetic_classes=classes["synthetic"],
        teachers=staff["teachers"],
        new_teachers=staff["new"],
        synthetic_staff=staff["synthetic"],
        national=scope.everything,
    )


# --- Territory browser -----------------------------------------------------------------------


def visible_departements(user) -> QuerySet[TerritoryNode]:
    """The départements the user may browse, by code, with the number of schools they see in
    each (``school_count``)."""
    return (
        TerritoryNode.objects.visible_to(user)
        .filter(kind=NodeKind.DEPARTEMENT)
        .annotate(school_count=_count_of(School.objects.visible_to(user), "departement"))
        .order_by("code")
    )


def visible_school_count(user) -> int:
    return School.objects.visible_to(user).count()


def departement_communes(
    user, departement: TerritoryNode, *, name: str = "", with_schools_only: bool = True
) -> QuerySet:
    """The communes of a département the user may browse, by name, with the number of schools
    they see in each (``school_count``); by default only those where they see a school."""
    schools = School.objects.visible_to(user)
    communes = TerritoryNode.objects.visible_to(user).filter(
        kind=NodeKind.COMMUNE, parent=departement
    )
    if name:
        communes = communes.filter(name__icontains=name)
    if with_schools_only:
        communes = communes.filter(Exists(schools.filter(commune=OuterRef("pk"))))
    return communes.annotate(school_count=_count_of(schools, "commune")).order_by("name", "code")


@dataclass(frozen=True)
class SchoolFilters:
    """The filters of the school list, as the filter form cleans them."""

    departement_id: int | None = None
    commune_id: int | None = None
    kinds: tuple[str, ...] = ()
    sector: str = ""
    network: str = ""  # "", "REP", "REP_PLUS", "EP" (REP or REP+), "NONE" (outside)
    ips_min: Decimal | None = None
    ips_max: Decimal | None = None
    query: str = ""


NETWORK_FILTERS = {
    "REP": Q(education_network=EducationNetwork.REP),
    "REP_PLUS": Q(education_network=EducationNetwork.REP_PLUS),
    "EP": Q(education_network__in=[EducationNetwork.REP, EducationNetwork.REP_PLUS]),
    "NONE": Q(education_network=EducationNetwork.NONE),
}


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_q(query: str) -> Q:
    """A UAI typed exactly finds that school alone; anything else searches the name (as typed,
    or without its accents: open data writes « ECOLE ») or the beginning of the UAI."""
    query = query.strip()
    if UAI_RE.match(query.upper()):
        return Q(uai=query.upper())
    found = Q(uai__istartswith=query)
    for variant in dict.fromkeys([query, _without_accents(query)]):
        found |= Q(name__icontains=variant)
    return found


def filtered_schools(user, filters: SchoolFilters) -> QuerySet[School]:
    """The schools the user sees that match ``filters``, by name, with their commune and
    département joined and the number of classes of the current year (``class_count``)."""
    schools = School.objects.visible_to(user)
    if filters.departement_id:
        schools = schools.filter(departement_id=filters.departement_id)
    if filters.commune_id:
        schools = schools.filter(commune_id=filters.commune_id)
    if filters.kinds:
        schools = schools.filter(kind__in=filters.kinds)
    if filters.sector:
        schools = schools.filter(sector=filters.sector)
    if filters.network:
        schools = schools.filter(NETWORK_FILTERS[filters.network])
    if filters.ips_min is not None:
        schools = schools.filter(ips__gte=filters.ips_min)
    if filters.ips_max is not None:
        schools = schools.filter(ips__lte=filters.ips_max)
    if filters.query.strip():
        schools = schools.filter(search_q(filters.query))
    current_classes = SchoolClass.objects.filter(year__is_current=True)
    return (
        schools.select_related("commune", "departement")
        .annotate(class_count=_count_of(current_classes, "school"))
        .order_by("name", "uai")
    )
