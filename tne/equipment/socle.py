"""The rules of the « socle numérique de base » (M4): what a class, a school and its head must
have, what is missing (the gap), which items close it and what they cost.

The criteria are the official ones (:mod:`tne.equipment.models.audits`): per class a collective
display (fixed video projector or interactive board), a laptop, an internet connection, an
image-capture device, a microphone and speakers; the document camera is optional and never a
gap. Per school a shared pack (the ``socle-ecole`` kit); for the head a laptop, an internet
connection and a networked printer-scanner. Each missing criterion is closed by one item of a
catalogue category, priced at the category's reference model (as :mod:`tne.equipment.pricing`
prices a kit line that names its category only); a category without a reference model is
reported as unpriced, and the cost of what needs it is unknown (``None``), never zero.

A class with no audit yet is « non audité »: its gap is unknown, it is neither complete nor
below the socle. The bulk functions read thousands of classes in a fixed number of queries: the
per-school figures (:func:`school_gaps`) are sums computed by the database, so the number of
queries does not grow with the number of schools or classes."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, Q, QuerySet

from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Stage
from tne.territory.models import (
    School,
    SchoolClass,
    SchoolYear,
    TerritoryNode,
    class_order_key,
)

from .models import Category, ClassAudit, KitTemplate, SchoolAudit
from .pricing import kit_cost, with_items


@dataclass(frozen=True)
class Criterion:
    field: str  # the BooleanField of the audit
    label: str
    categories: tuple[str, ...]  # the catalogue categories that close it, one item each


CLASS_CRITERIA = (
    Criterion(
        "has_display", "Affichage collectif (vidéoprojecteur fixe ou TNI/VPI)", ("projector",)
    ),
    Criterion("has_laptop", "Ordinateur portable", ("laptop",)),
    Criterion("has_internet", "Connexion internet", ("wifi-access-point",)),
    Criterion("has_camera", "Captation d'image", ("webcam",)),
    Criterion("has_audio", "Microphone et haut-parleurs", ("microphone", "speakers")),
)
# Optional: shown and saved, never a gap.
OPTIONAL_CLASS_FIELDS = ("has_document_camera",)
CLASS_FIELDS = tuple(c.field for c in CLASS_CRITERIA) + OPTIONAL_CLASS_FIELDS

SCHOOL_PACK_FIELD = "has_shared_pack"
SCHOOL_PACK_KIT = "socle-ecole"
HEAD_CRITERIA = (
    Criterion("head_has_laptop", "Ordinateur portable de la direction", ("laptop",)),
    Criterion("head_has_internet", "Connexion internet de la direction", ("router-4g",)),
    Criterion("head_has_printer", "Imprimante-scanner en réseau", ("printer-scanner",)),
)
SCHOOL_FIELDS = (SCHOOL_PACK_FIELD, *tuple(c.field for c in HEAD_CRITERIA))

# The schools the socle concerns, and their classes that count (a GS-CP class is elementary).
SOCLE_SCHOOL_KINDS = (SchoolKind.ELEMENTAIRE, SchoolKind.PRIMAIRE)


class ClassStatus:
    NOT_AUDITED = "NOT_AUDITED"
    COMPLETE = "COMPLETE"
    GAP = "GAP"

    LABELS = {NOT_AUDITED: "Non audité", COMPLETE: "Complet", GAP: "Sous le socle"}


# --- Prices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prices:
    """The unit price of each category's reference model (``None``: unpriced), and of the
    school pack kit."""

    by_category: dict[str, Decimal | None]
    school_pack: Decimal | None
    category_names: dict[str, str] = field(default_factory=dict)

    def cost(self, categories: Iterable[str]) -> Decimal | None:
        total = Decimal("0")
        for code in categories:
            price = self.by_category.get(code)
            if price is None:
                return None
            total += price
        return total

    def unpriced(self, categories: Iterable[str]) -> list[str]:
        return [code for code in categories if self.by_category.get(code) is None]

    def criterion_cost(self, criterion: Criterion) -> Decimal | None:
        return self.cost(criterion.categories)


def load_prices() -> Prices:
    """Two queries for the categories, three for the school pack kit (whatever the catalogue)."""
    by_category, names = {}, {}
    for cat in Category.objects.select_related("reference_model"):
        by_category[cat.code] = cat.reference_model.unit_price if cat.reference_model else None
        names[cat.code] = cat.name
    pack = with_items(KitTemplate.objects.filter(code=SCHOOL_PACK_KIT)).first()
    return Prices(
        by_category=by_category,
        school_pack=kit_cost(pack) if pack is not None else None,
        category_names=names,
    )


# --- One class, one school (pure rules) ---------------------------------------------------


@dataclass(frozen=True)
class ClassGap:
    class_id: int
    name: str
    school_id: int
    status: str
    missing: tuple[Criterion, ...] = ()
    items: tuple[str, ...] = ()  # category codes, one item each
    cost: Decimal | None = Decimal("0")
    unpriced: tuple[str, ...] = ()
    order: tuple = ()  # the pedagogical order of the class in its school (class_order_key)

    @property
    def status_label(self) -> str:
        return ClassStatus.LABELS[self.status]

    @property
    def is_below(self) -> bool:
        return self.status == ClassStatus.GAP


def missing_class_criteria(answers: dict) -> tuple[Criterion, ...]:
    """The criteria ``answers`` (field → bool) do not meet; the document camera never counts."""
    return tuple(c for c in CLASS_CRITERIA if not answers.get(c.field))


def class_gap(
    *, class_id: int, name: str, school_id: int, answers: dict | None, prices: Prices
) -> ClassGap:
    """The gap of one class from its audit's answers (``None``: not audited)."""
    if answers is None:
        return ClassGap(class_id, name, school_id, ClassStatus.NOT_AUDITED, cost=None)
    missing = missing_class_criteria(answers)
    if not missing:
        return ClassGap(class_id, name, school_id, ClassStatus.COMPLETE)
    items = tuple(code for c in missing for code in c.categories)
    return ClassGap(
        class_id,
        name,
        school_id,
        ClassStatus.GAP,
        missing=missing,
        items=items,
        cost=prices.cost(items),
        unpriced=tuple(prices.unpriced(items)),
    )


@dataclass(frozen=True)
class SchoolSideGap:
    """What the school (its shared pack) and its head miss; ``audited`` False: unknown."""

    audited: bool
    needs_pack: bool = False
    head_missing: tuple[Criterion, ...] = ()
    pack_cost: Decimal | None = Decimal("0")
    head_items: tuple[str, ...] = ()
    head_cost: Decimal | None = Decimal("0")

    @property
    def is_complete(self) -> bool:
        return self.audited and not self.needs_pack and not self.head_missing


def school_side_gap(answers: dict | None, prices: Prices) -> SchoolSideGap:
    if answers is None:
        return SchoolSideGap(audited=False, pack_cost=None, head_cost=None)
    needs_pack = not answers.get(SCHOOL_PACK_FIELD)
    head_missing = tuple(c for c in HEAD_CRITERIA if not answers.get(c.field))
    head_items = tuple(code for c in head_missing for code in c.categories)
    return SchoolSideGap(
        audited=True,
        needs_pack=needs_pack,
        head_missing=head_missing,
        pack_cost=prices.school_pack if needs_pack else Decimal("0"),
        head_items=head_items,
        head_cost=prices.cost(head_items),
    )


# --- Which classes and schools ----------------------------------------------------------


def socle_schools(schools: QuerySet[School] | None = None) -> QuerySet[School]:
    """The elementary and primary schools (of ``schools``)."""
    rows = School.objects.all() if schools is None else schools
    return rows.filter(kind__in=SOCLE_SCHOOL_KINDS)


def socle_classes(year=None) -> QuerySet[SchoolClass]:
    """The elementary classes of the socle's schools for ``year`` (default: the current one)."""
    year_filter = SchoolYear.objects.current_pk() if year is None else year
    return SchoolClass.objects.filter(
        year=year_filter, stage=Stage.ELEMENTARY, school__kind__in=SOCLE_SCHOOL_KINDS
    )


_NODE_SCHOOL_FIELD = {
    NodeKind.REGION: "region",
    NodeKind.ACADEMIE: "academie",
    NodeKind.DEPARTEMENT: "departement",
    NodeKind.CIRCONSCRIPTION: "circonscription",
    NodeKind.COMMUNE: "commune",
}


def schools_under_q(node: TerritoryNode, prefix: str = "") -> Q:
    """The schools of ``node``'s territory (the country: every school)."""
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(**{f"{prefix}{_NODE_SCHOOL_FIELD[node.kind]}": node})


# --- In bulk -------------------------------------------------------------------------------


def class_gaps(classes: QuerySet[SchoolClass], prices: Prices | None = None) -> list[ClassGap]:
    """The gap of every class of ``classes``, in two queries (+ the prices' when not given):
    the classes, and their audits."""
    prices = prices or load_prices()
    rows = [
        SimpleNamespace(**row)
        for row in classes.order_by().values("pk", "name", "school_id", "stage", "levels")
    ]
    for r in rows:  # the key once per class (it normalises the name)
        r.order = class_order_key(r)
    rows.sort(key=lambda r: (r.school_id, r.order, r.pk))
    answers = {
        row["school_class_id"]: row
        for row in ClassAudit.objects.filter(school_class__in=classes).values(
            "school_class_id", *CLASS_FIELDS
        )
    }
    return [
        replace(
            class_gap(
                class_id=r.pk,
                name=r.name,
                school_id=r.school_id,
                answers=answers.get(r.pk),
                prices=prices,
            ),
            order=r.order,
        )
        for r in rows
    ]


def school_side_gaps(schools: QuerySet[School], prices: Prices, year=None) -> dict:
    """school id → :class:`SchoolSideGap` of the audit of ``year`` (current), one query; a
    school without an audit is missing from the dict (not audited)."""
    year_filter = SchoolYear.objects.current_pk() if year is None else year
    audits = SchoolAudit.objects.filter(school__in=schools, year=year_filter).values(
        "school_id", *SCHOOL_FIELDS
    )
    return {row["school_id"]: school_side_gap(row, prices) for row in audits}


@dataclass
class SchoolFigures:
    """The socle figures of one school: its classes, how many are audited, complete and below
    the socle, the missing items and what they cost (``unpriced``: classes whose cost is
    unknown, their missing items having a category without a reference model), and the gap of
    the school and its head."""

    school_id: int
    classes: int = 0
    audited: int = 0
    below: int = 0
    items: int = 0
    cost: Decimal = Decimal("0")
    unpriced_criteria: tuple[str, ...] = ()
    side: SchoolSideGap | None = None

    @property
    def not_audited(self) -> int:
        return self.classes - self.audited

    @property
    def complete(self) -> int:
        return self.audited - self.below

    @property
    def side_cost(self) -> Decimal | None:
        if self.side is None or not self.side.audited:
            return None
        if self.side.pack_cost is None or self.side.head_cost is None:
            return None
        return self.side.pack_cost + self.side.head_cost


def _missing_q(criterion: Criterion) -> Q:
    return Q(**{criterion.field: False})


def school_figures(
    schools: QuerySet[School], prices: Prices | None = None, *, year=None
) -> dict[int, SchoolFigures]:
    """school id → :class:`SchoolFigures` for every school of ``schools`` that has socle
    classes or an audit, in three aggregate queries whatever their number: the classes per
    school, the class audits per school (counts of each missing criterion, summed by the
    database), the school audits. A class's cost is the sum of its missing criteria's costs, so
    a school's cost is Σ (classes missing the criterion × its cost)."""
    prices = prices or load_prices()
    year_filter = SchoolYear.objects.current_pk() if year is None else year
    classes = socle_classes(year_filter).filter(school__in=schools)
    figures: dict[int, SchoolFigures] = {}
    for school_id, count in (
        classes.order_by()
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    ):
        figures[school_id] = SchoolFigures(school_id=school_id, classes=count)
    any_missing = Q()
    for criterion in CLASS_CRITERIA:
        any_missing |= _missing_q(criterion)
    counts = {f"miss_{c.field}": Count("pk", filter=_missing_q(c)) for c in CLASS_CRITERIA}
    rows = (
        ClassAudit.objects.filter(school_class__in=classes)
        .order_by()
        .values("school_class__school_id")
        .annotate(audited=Count("pk"), below=Count("pk", filter=any_missing), **counts)
    )
    for row in rows:
        fig = figures.setdefault(
            row["school_class__school_id"],
            SchoolFigures(school_id=row["school_class__school_id"]),
        )
        fig.audited, fig.below = row["audited"], row["below"]
        unpriced = []
        for criterion in CLASS_CRITERIA:
            missing = row[f"miss_{criterion.field}"]
            if not missing:
                continue
            fig.items += missing * len(criterion.categories)
            cost = prices.criterion_cost(criterion)
            if cost is None:
                unpriced.append(criterion.field)
            else:
                fig.cost += missing * cost
        fig.unpriced_criteria = tuple(unpriced)
    for school_id, side in school_side_gaps(schools, prices, year=year_filter).items():
        figures.setdefault(school_id, SchoolFigures(school_id=school_id)).side = side
    return figures


def gap_totals(gaps: Iterable[ClassGap]) -> dict:
    gaps = list(gaps)
    below = [g for g in gaps if g.is_below]
    costs = [g.cost for g in below]
    return {
        "classes": len(gaps),
        "audited": sum(1 for g in gaps if g.status != ClassStatus.NOT_AUDITED),
        "below": len(below),
        "items": sum(len(g.items) for g in below),
        "cost": sum((c for c in costs if c is not None), Decimal("0")),
        "unpriced": sum(1 for c in costs if c is None),
    }


# --- The ranking of the overview and the plan ---------------------------------------------

_NETWORK_ORDER = {EducationNetwork.REP_PLUS: 0, EducationNetwork.REP: 1}


def priority_key(ips, network: str, below: int, uai: str) -> tuple:
    """The ranking of schools (first = most in need): IPS ascending (none last), REP+ then REP,
    more classes below the socle, then UAI."""
    return (
        ips is None,
        ips if ips is not None else Decimal("0"),
        _NETWORK_ORDER.get(network, 2),
        -below,
        uai,
    )


@dataclass
class OverviewRow:
    school: School
    figures: SchoolFigures
    ips_readable: bool
    rank: int = 0

    @property
    def ips(self):
        return self.school.ips if self.ips_readable else None

    @property
    def has_gap(self) -> bool:
        side = self.figures.side
        return self.figures.below > 0 or (side is not None and not side.is_complete)


OVERVIEW_FIELDS = (
    "pk",
    "uai",
    "name",
    "kind",
    "ips",
    "education_network",
    "commune__name",
    "commune__code",
    "departement__name",
    "departement__code",
    "circonscription__name",
    "circonscription__code",
    "region_id",
    "academie_id",
    "departement_id",
    "circonscription_id",
    "commune_id",
    "owner_id",
)


def ranked_rows(
    schools: QuerySet[School], *, ips_scope, only_not_audited: bool = False
) -> list[OverviewRow]:
    """Every school of ``schools`` (socle schools) with its figures, ranked: the schools with
    a gap (classes below the socle, or a school or head criterion missing) first, then by
    :func:`priority_key` (IPS ascending, none last; REP+ then REP; more classes below; UAI).
    The IPS counts only where ``ips_scope`` (the user's ``territory.view_ips``) reads it, so the
    order never reveals an IPS the user may not read. A fixed number of queries (the schools,
    the figures' three, the prices')."""
    prices = load_prices()
    rows_qs = schools.select_related("commune", "departement", "circonscription").only(
        *OVERVIEW_FIELDS
    )
    school_list = list(rows_qs)
    figures = school_figures(schools, prices)
    rows = []
    for school in school_list:
        fig = figures.get(school.pk) or SchoolFigures(school_id=school.pk)
        if only_not_audited and not (fig.not_audited or fig.side is None):
            continue
        rows.append(OverviewRow(school, fig, ips_scope.contains_school(school)))
    rows.sort(
        key=lambda r: (
            not r.has_gap,
            *priority_key(r.ips, r.school.education_network, r.figures.below, r.school.uai),
        )
    )
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows
