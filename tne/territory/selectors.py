"""Reads of the territory app for the pages: the dashboard figures and the lists of the territory
browser. Every function starts from ``.visible_to(user)`` and makes a fixed number of queries,
whatever the number of schools."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tne.core.scope import scope_of
from tne.core.text import words_q

from .enums import EducationNetwork, NodeKind, SchoolKind
from .models import School, SchoolFigures, SchoolYear, TerritoryNode
from .perms import VIEW_IPS, VIEW_PEOPLE, VIEW_SCHOOLS

UAI_RE = re.compile(r"^\d{7}[A-Z]$")
UAI_PREFIX_RE = re.compile(r"^\d{1,7}[A-Z]?$")


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
    teachers in the user's scope: three queries, the figures summed from ``SchoolFigures`` (one
    row per school) rather than counted over the classes and staff tables."""
    scope = scope_of(user, VIEW_SCHOOLS)
    # Staff figures only over the schools where the user's grants may read people (a parent
    # here who teaches there counts the teachers of there only), in the same query.
    people = scope_of(user, VIEW_PEOPLE)
    staff = people.school_q("school__") or None
    schools = School.objects.visible_to(user).aggregate(
        ecoles=Count("pk", filter=Q(kind__in=SchoolKind.first_degree())),
        colleges=Count("pk", filter=Q(kind=SchoolKind.COLLEGE)),
        lycees=Count("pk", filter=Q(kind__in=SchoolKind.lycees())),
    )
    year = SchoolYear.objects.current()
    # Class figures refreshed for another year than the current one are not counted.
    of_year = Q(year=year) if year is not None else Q(pk__in=[])
    sums = SchoolFigures.objects.filter(scope.school_q("school__")).aggregate(
        classes=Coalesce(Sum("classes", filter=of_year), 0),
        elementary=Coalesce(Sum("elementary_classes", filter=of_year), 0),
        pupils=Coalesce(Sum("pupils", filter=of_year), 0),
        synthetic=Coalesce(Sum("synthetic_classes", filter=of_year), 0),
        teachers=Coalesce(Sum("teachers", filter=staff), 0),
        new=Coalesce(Sum("new_teachers", filter=staff), 0),
        synthetic_staff=Coalesce(Sum("synthetic_staff", filter=staff), 0),
    )
    reads_people = not people.is_empty
    return DashboardFigures(
        ecoles=schools["ecoles"],
        colleges=schools["colleges"],
        lycees=schools["lycees"],
        year=year,
        classes=sums["classes"],
        elementary_classes=sums["elementary"],
        pupils=sums["pupils"],
        synthetic_classes=sums["synthetic"],
        teachers=sums["teachers"] if reads_people else None,
        new_teachers=sums["new"] if reads_people else None,
        synthetic_staff=sums["synthetic_staff"] if reads_people else 0,
        national=scope.everything,
    )


# --- Territory browser -----------------------------------------------------------------------


def visible_departements(user) -> tuple[list[TerritoryNode], int]:
    """The départements the user may browse, by code, with the number of schools they see in
    each (``school_count``), and the number of schools they see in all: two queries, the counts
    grouped by département in one of them."""
    counts = dict(
        School.objects.visible_to(user)
        .order_by()
        .values_list("departement_id")
        .annotate(n=Count("pk"))
    )
    departements = list(
        TerritoryNode.objects.visible_to(user).filter(kind=NodeKind.DEPARTEMENT).order_by("code")
    )
    for departement in departements:
        departement.school_count = counts.get(departement.pk, 0)
    return departements, sum(counts.values())


def departement_communes(
    user, departement: TerritoryNode, *, name: str = "", with_schools_only: bool = True
) -> QuerySet:
    """The communes of a département the user may browse, in French alphabetical order, with the
    number of schools they see in each (``school_count``); by default only those where they see
    a school. ``name`` searches the communes whatever the accents, hyphens and word order."""
    schools = School.objects.visible_to(user)
    communes = TerritoryNode.objects.visible_to(user).filter(
        kind=NodeKind.COMMUNE, parent=departement
    )
    if name:
        communes = communes.filter(words_q(name))
    if with_schools_only:
        communes = communes.filter(Exists(schools.filter(commune=OuterRef("pk"))))
    return communes.annotate(school_count=_count_of(schools, "commune")).order_by(
        "search_name", "code"
    )


def departement_circonscriptions(user, departement: TerritoryNode) -> list[TerritoryNode]:
    """The circonscriptions of a département where the user sees a school, by name, with the
    number of schools they see in each (``school_count``): one query. An IEN sees their own."""
    schools = School.objects.visible_to(user)
    return list(
        TerritoryNode.objects.visible_to(user)
        .filter(kind=NodeKind.CIRCONSCRIPTION, parent=departement)
        .filter(Exists(schools.filter(circonscription=OuterRef("pk"))))
        .annotate(school_count=_count_of(schools, "circonscription"))
        .order_by("search_name", "code")
    )


@dataclass(frozen=True)
class SchoolFilters:
    """The filters of the school list, as the filter form cleans them."""

    departement_id: int | None = None
    commune_id: int | None = None
    circonscription_id: int | None = None
    kinds: tuple[str, ...] = ()
    sector: str = ""
    network: str = ""  # "", "REP", "REP_PLUS", "EP" (REP or REP+), "NONE" (outside)
    ips_min: Decimal | None = None
    ips_max: Decimal | None = None
    query: str = ""
    # A key of SORTS, « -key » for the reverse order; "" is the default order.
    sort: str = ""


NETWORK_FILTERS = {
    "REP": Q(education_network=EducationNetwork.REP),
    "REP_PLUS": Q(education_network=EducationNetwork.REP_PLUS),
    "EP": Q(education_network__in=[EducationNetwork.REP, EducationNetwork.REP_PLUS]),
    "NONE": Q(education_network=EducationNetwork.NONE),
}


def search_q(query: str) -> Q:
    """A UAI typed exactly finds that school alone; anything else searches the name and commune
    of the schools whatever the accents, case, hyphens and order of the words (« ecole laon »
    finds « École Jean-Jaurès » of Laon), or the beginning of the UAI."""
    query = query.strip()
    if UAI_RE.match(query.upper()):
        return Q(uai=query.upper())
    # Only what may begin a UAI is compared with the UAIs: one test less per row otherwise.
    found = Q(uai__istartswith=query) if UAI_PREFIX_RE.match(query.upper()) else Q()
    return found | words_q(query)


# The default order of the school list (an index of School walks it): names to correct last,
# then French alphabetical order of the names, then UAI.
LIST_ORDER = ("name_needs_review", "search_name", "uai")
# The secondary order of every sort: stable from page to page.
TIE_BREAK = ("search_name", "uai")


def _current_classes():
    return Case(
        When(figures__year=SchoolYear.objects.current_pk(), then="figures__classes"),
        default=Value(0),
        output_field=IntegerField(),
    )


# The sortable columns of the list: key in the URL (``?tri=ips``, ``?tri=-ips``) → the
# expression sorted on. IPS: the schools without one come last both ways (two indexes).
SORTS = {
    "nom": F("search_name"),
    "commune": F("commune__search_name"),
    "circonscription": F("circonscription__search_name"),
    # The order of the kinds (maternelle, élémentaire, primaire, collège, lycées), not their codes.
    "type": Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(SchoolKind.values)),
        default=Value(len(SchoolKind.values)),
        output_field=IntegerField(),
    ),
    "ips": F("ips"),
    "classes": F("sort_classes"),
}


def sort_order(sort: str) -> tuple:
    """The ``order_by`` of ``sort`` (a key of SORTS, « -key » reversed), then TIE_BREAK."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return LIST_ORDER
    expression = SORTS[key]
    reverse = sort.startswith("-")
    ordered = expression.desc(nulls_last=True) if reverse else expression.asc(nulls_last=True)
    return (ordered, *TIE_BREAK)


def _sorted(schools: QuerySet[School], sort: str, user) -> QuerySet[School]:
    key = sort.removeprefix("-")
    if key == "classes":
        schools = schools.annotate(sort_classes=_current_classes())
    elif key == "ips" and not scope_of(user, VIEW_IPS).everything:
        # Only the IPS the user may read order the list (the others count as unknown): the
        # order must not tell what the column hides. A national reader sorts on the index.
        schools = schools.annotate(
            sort_ips=Case(
                When(scope_of(user, VIEW_IPS).school_q(), then=F("ips")),
                default=Value(None),
                output_field=School._meta.get_field("ips"),
            )
        )
        ordered = (
            F("sort_ips").desc(nulls_last=True)
            if sort.startswith("-")
            else F("sort_ips").asc(nulls_last=True)
        )
        return schools.order_by(ordered, *TIE_BREAK)
    return schools.order_by(*sort_order(sort))


def matching_schools(user, filters: SchoolFilters, *, permission=VIEW_SCHOOLS) -> QuerySet[School]:
    """The schools the user sees (through ``permission``) that match ``filters``, in the order
    of ``filters.sort``. The IPS filters keep only the schools whose IPS the user may read."""
    schools = School.objects.visible_to(user, permission)
    if filters.departement_id:
        schools = schools.filter(departement_id=filters.departement_id)
    if filters.commune_id:
        schools = schools.filter(commune_id=filters.commune_id)
    if filters.circonscription_id:
        schools = schools.filter(circonscription_id=filters.circonscription_id)
    if filters.kinds:
        schools = schools.filter(kind__in=filters.kinds)
    if filters.sector:
        schools = schools.filter(sector=filters.sector)
    if filters.network:
        schools = schools.filter(NETWORK_FILTERS[filters.network])
    if filters.ips_min is not None or filters.ips_max is not None:
        schools = schools.filter(scope_of(user, VIEW_IPS).school_q())
    if filters.ips_min is not None:
        schools = schools.filter(ips__gte=filters.ips_min)
    if filters.ips_max is not None:
        schools = schools.filter(ips__lte=filters.ips_max)
    if filters.query.strip():
        schools = schools.filter(search_q(filters.query))
    return _sorted(schools, filters.sort, user)


# The columns of the list and of its exports: not the JSON fields, costly to load by thousands.
LIST_FIELDS = [
    "uai",
    "name",
    "kind",
    "sector",
    "education_network",
    "ips",
    "name_needs_review",
    "commune__name",
    "commune__code",
    "departement__name",
    "departement__code",
    "circonscription__name",
    "circonscription__code",
]


def _ips_readable(user):
    """Whether the user may read the IPS of the row (``territory.view_ips``): a flag, the IPS
    itself read from its column (a CASE over it would lose its decimal places on SQLite)."""
    ips_scope = scope_of(user, VIEW_IPS)
    if ips_scope.everything:
        return Value(True)
    return Case(
        When(ips_scope.school_q(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def with_list_columns(schools: QuerySet[School], user) -> QuerySet[School]:
    """``schools`` with what a row of the list shows: commune, département and circonscription
    joined, the number of classes of the current year (``class_count``) read from
    ``SchoolFigures``, and the IPS where the user may read it (``readable_ips``, else None)."""
    return (
        schools.select_related("commune", "departement", "circonscription")
        .only(*LIST_FIELDS)
        .annotate(class_count=_current_classes(), ips_readable=_ips_readable(user))
    )


def filtered_schools(user, filters: SchoolFilters, *, permission=VIEW_SCHOOLS) -> QuerySet[School]:
    """Every row of the filtered list with its columns (the exports, through ``EXPORT``)."""
    return with_list_columns(matching_schools(user, filters, permission=permission), user)


class PagedSchools:
    """The filtered list as the paginator slices it: ``count()`` counts the matching schools; a
    slice pages their UAIs alone (``OFFSET`` walks an index of the order only, however deep the
    page: ``school_review_order`` by default, ``school_ips_order`` for the IPS…) and loads the
    rows of that page with their columns in the same query."""

    def __init__(self, user, filters: SchoolFilters):
        self._user, self._sort = user, filters.sort
        self._keys = matching_schools(user, filters).values("uai")

    def count(self) -> int:
        return self._keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[School]:
        rows = _sorted(School.objects.filter(uai__in=self._keys[page]), self._sort, self._user)
        return list(with_list_columns(rows, self._user))
