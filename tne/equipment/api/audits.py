"""The socle audit in the API: the schools of the caller's scope with their gap (``VIEW``), one
school's audit with each class's gap (``VIEW``), writing it (``AUDIT`` on the school: 403
without ``AUDIT`` anywhere, 404 for a school outside its reach, like the page), and the plan
of an M4 envelope (``ALLOCATE`` on its node)."""

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from tne.core.api.pagination import KeysetPagination, keyset_page
from tne.core.api.params import Code, Uai
from tne.core.api.schemas import ErrorOut
from tne.core.models import AuditSource
from tne.core.scope import holds, scope_of
from tne.programme.models import Envelope

from ..perms import ALLOCATE, AUDIT, VIEW
from ..plan import M4, plan_for
from ..services import audits as services
from ..socle import (
    CLASS_FIELDS,
    SchoolFigures,
    class_gaps,
    load_prices,
    school_figures,
    school_side_gap,
    socle_schools,
)

router = Router()
TAGS = ["Équipement — audit du socle"]
UaiPath = Annotated[Uai, Path(description="Code UAI de l'école, « 0020001A ».")]


# --- Schemas ---------------------------------------------------------------------------------


class SchoolGapOut(Schema):
    """Une école élémentaire ou primaire et son écart au socle numérique de base (année en
    cours)."""

    uai: str
    name: str
    commune: str
    education_network: str = Field(description="« REP », « REP_PLUS » ou vide.")
    classes: int = Field(description="Classes élémentaires de l'année en cours.")
    audited: int = Field(description="Classes auditées.")
    below: int = Field(description="Classes auditées sous le socle.")
    missing_items: int = Field(description="Éléments manquants des classes sous le socle.")
    cost: Decimal = Field(description="Coût TTC (€) des éléments chiffrés qui manquent.")
    unpriced: bool = Field(description="Des éléments manquants n'ont pas de prix de référence.")
    school_audited: bool = Field(description="L'école et sa direction sont auditées.")
    needs_school_pack: bool | None = Field(description="`null` si l'école n'est pas auditée.")
    head_missing: list[str] = Field(description="Critères manquants de la direction.")

    @staticmethod
    def resolve_commune(obj) -> str:
        return obj.commune.name

    @staticmethod
    def resolve_classes(obj) -> int:
        return obj.socle_figures.classes

    @staticmethod
    def resolve_audited(obj) -> int:
        return obj.socle_figures.audited

    @staticmethod
    def resolve_below(obj) -> int:
        return obj.socle_figures.below

    @staticmethod
    def resolve_missing_items(obj) -> int:
        return obj.socle_figures.items

    @staticmethod
    def resolve_cost(obj) -> Decimal:
        return obj.socle_figures.cost

    @staticmethod
    def resolve_unpriced(obj) -> bool:
        return bool(obj.socle_figures.unpriced_criteria)

    @staticmethod
    def resolve_school_audited(obj) -> bool:
        return obj.socle_figures.side is not None

    @staticmethod
    def resolve_needs_school_pack(obj) -> bool | None:
        side = obj.socle_figures.side
        return None if side is None else side.needs_pack

    @staticmethod
    def resolve_head_missing(obj) -> list[str]:
        side = obj.socle_figures.side
        return [] if side is None else [c.field for c in side.head_missing]


class SchoolAnswers(Schema):
    """Les critères de l'école et de sa direction (vrai : présent)."""

    model_config = ConfigDict(extra="forbid")

    has_shared_pack: bool = False
    head_has_laptop: bool = False
    head_has_internet: bool = False
    head_has_printer: bool = False


class ClassAnswers(Schema):
    """Les critères d'une classe (vrai : présent ; le visualiseur est facultatif)."""

    model_config = ConfigDict(extra="forbid")

    class_id: int = Field(ge=1, le=2**31 - 1, description="Identifiant de la classe.")
    has_display: bool = False
    has_document_camera: bool = False
    has_laptop: bool = False
    has_internet: bool = False
    has_camera: bool = False
    has_audio: bool = False


class AuditIn(Schema):
    """L'audit de toute l'école, écrit en une fois ; une classe absente n'est pas modifiée."""

    model_config = ConfigDict(extra="forbid")

    school: SchoolAnswers
    classes: list[ClassAnswers] = Field(default_factory=list, max_length=200)


class ClassGapOut(Schema):
    class_id: int
    name: str
    status: str = Field(description="NOT_AUDITED (non audité), COMPLETE ou GAP (sous le socle).")
    answers: dict[str, bool] | None = Field(description="`null` si la classe n'est pas auditée.")
    missing: list[str] = Field(description="Critères manquants.")
    items: list[str] = Field(description="Catégories du catalogue qui comblent l'écart.")
    cost: Decimal | None = Field(description="Coût TTC (€) ; `null` si inconnu.")


class SchoolAuditOut(Schema):
    uai: str
    name: str
    year: str = Field(description="Année scolaire de l'audit.")
    audited: bool = Field(description="L'école a un audit pour l'année en cours.")
    school: dict[str, bool] | None = Field(description="`null` si l'école n'est pas auditée.")
    needs_school_pack: bool | None
    head_missing: list[str]
    classes: list[ClassGapOut]


class PlanLineOut(Schema):
    uai: str
    school: str
    what: str
    items: list[str]
    cost: Decimal | None
    reason: str = Field(description="Vide pour ce qui est financé.")


class PlanOut(Schema):
    node: str
    envelope_id: int
    amount: Decimal
    committed: Decimal = Field(description="Commandes engagées sur l'enveloppe.")
    budget: Decimal = Field(description="Montant − engagé : ce que le plan peut dépenser.")
    total: Decimal
    classes: list[PlanLineOut]
    kits: list[PlanLineOut]
    unfunded: list[PlanLineOut]


class AuditFilters(FilterSchema):
    departement: Annotated[Code | None, FilterLookup("departement__code")] = Field(
        None, description="Code du département (« 02 »)."
    )
    circonscription: Annotated[Code | None, FilterLookup("circonscription__code")] = Field(
        None, description="Code de la circonscription."
    )
    commune: Annotated[Code | None, FilterLookup("commune__code")] = Field(
        None, description="Code INSEE de la commune."
    )


class PlanQuery(Schema):
    envelope: int = Field(ge=1, le=2**63 - 1, description="Identifiant de l'enveloppe M4.")
    school_packs: bool = Field(False, description="Financer aussi les lots mutualisés.")
    head_kits: bool = Field(False, description="Financer aussi l'équipement des directions.")


class SchoolGapPagination(KeysetPagination):
    """The keyset page of schools, with their socle figures computed for the page at once
    (fixed queries per page)."""

    def paginate_queryset(self, queryset, pagination, **params: Any) -> dict:
        items, next_cursor = keyset_page(
            queryset, ordering=self.ordering, cursor=pagination.cursor, limit=pagination.limit
        )
        figures = school_figures(queryset.filter(pk__in=[s.pk for s in items]))
        for school in items:
            school.socle_figures = figures.get(school.pk) or SchoolFigures(school_id=school.pk)
        return {"items": items, "next_cursor": next_cursor}


# --- Endpoints -------------------------------------------------------------------------------


@router.get(
    "/equipment/audits",
    response=list[SchoolGapOut],
    tags=TAGS,
    summary="Lister les écoles et leur écart au socle",
    description="Les écoles élémentaires et primaires de votre périmètre, triées par UAI, avec "
    "leurs classes auditées, celles sous le socle, les éléments manquants et leur coût.",
)
@paginate(SchoolGapPagination, ordering=("uai", "pk"))
def list_audits(request, filters: Query[AuditFilters]):
    schools = socle_schools().visible_to(request.auth, VIEW).select_related("commune")
    return filters.filter(schools)


def _year():
    year = services.current_year()
    if year is None:
        raise HttpError(404, "Aucune année scolaire en cours.")
    return year


def _audit_out(school) -> dict:
    year = _year()
    prices = load_prices()
    school_answers, class_answers = services.answers_of(school, year)
    classes = services.classes_of(school, year)
    gaps = {
        g.class_id: g
        for g in class_gaps(
            services.socle_classes(year).filter(pk__in=[c.pk for c in classes]), prices
        )
    }
    side = school_side_gap(school_answers, prices)
    return {
        "uai": school.uai,
        "name": school.name,
        "year": year.label,
        "audited": school_answers is not None,
        "school": school_answers,
        "needs_school_pack": side.needs_pack if side.audited else None,
        "head_missing": [c.field for c in side.head_missing],
        "classes": [
            {
                "class_id": c.pk,
                "name": c.name,
                "status": gaps[c.pk].status,
                "answers": (
                    {n: bool(class_answers[c.pk][n]) for n in CLASS_FIELDS}
                    if c.pk in class_answers
                    else None
                ),
                "missing": [m.field for m in gaps[c.pk].missing],
                "items": list(gaps[c.pk].items),
                "cost": gaps[c.pk].cost,
            }
            for c in classes
        ],
    }


@router.get(
    "/equipment/audits/{uai}",
    response={200: SchoolAuditOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire l'audit du socle d'une école",
    description="Les critères de l'école, de sa direction et de chaque classe élémentaire, "
    "avec l'écart de chaque classe ; 404 si l'école est hors de votre périmètre.",
)
def get_audit(request, uai: UaiPath):
    school = get_object_or_404(
        socle_schools().visible_to(request.auth, VIEW).select_related("commune"),
        uai=uai.upper(),
    )
    return _audit_out(school)


@router.put(
    "/equipment/audits/{uai}",
    response={200: SchoolAuditOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Écrire l'audit du socle d'une école",
    description="Écrit en une fois les critères de l'école, de sa direction et des classes "
    "données (les autres classes ne changent pas). Réservé à la direction de l'école et aux "
    "agents qui l'auditent : 403 sans ce droit, 404 pour une école hors de votre périmètre, 400 "
    "pour une classe qui n'est pas une classe élémentaire de l'école cette année.",
)
def put_audit(request, uai: UaiPath, payload: AuditIn):
    if not holds(request.auth, AUDIT):
        raise HttpError(403, "Vous ne renseignez pas l'audit du socle numérique.")
    school = get_object_or_404(
        socle_schools().filter(scope_of(request.auth, AUDIT).school_q()).select_related("commune"),
        uai=uai.upper(),
    )
    classes = {}
    for row in payload.classes:
        classes[row.class_id] = row.model_dump(exclude={"class_id"})
    try:
        services.save_school_audit(
            school=school,
            year=_year(),
            school_answers=payload.school.model_dump(),
            class_answers=classes,
            actor=request.auth,
            source=AuditSource.API,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return _audit_out(school)


def _line(school, what, items, cost, reason="") -> dict:
    return {
        "uai": school.uai,
        "school": school.name,
        "what": what,
        "items": list(items),
        "cost": cost,
        "reason": reason,
    }


@router.get(
    "/equipment/audits-plan",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Proposer le plan de financement du socle",
    description="Pour une enveloppe M4 de votre territoire : les classes portées au socle (une "
    "classe n'est financée qu'entière), les lots et équipements de direction demandés, leur "
    "coût, et ce qui n'est pas financé avec son motif. Jamais au-delà de l'enveloppe moins "
    "ses commandes engagées. 403 sans le droit d'affecter l'équipement, 404 pour une "
    "enveloppe hors de votre territoire.",
)
def get_plan(request, query: Query[PlanQuery]):
    if not holds(request.auth, ALLOCATE):
        raise HttpError(403, "Le plan de financement est réservé à la coordination.")
    envelopes = Envelope.objects.filter(measure__code=M4).filter(
        scope_of(request.auth, ALLOCATE).node_q("node__")
    )
    envelope = get_object_or_404(envelopes.select_related("node"), pk=query.envelope)
    plan = plan_for(
        envelope.node,
        envelope,
        include_school_packs=query.school_packs,
        include_head_kits=query.head_kits,
    )
    return {
        "node": str(plan.node),
        "envelope_id": envelope.pk,
        "amount": plan.amount,
        "committed": plan.committed,
        "budget": plan.budget,
        "total": plan.total,
        "classes": [_line(c.school, c.gap.name, c.gap.items, c.gap.cost) for c in plan.classes],
        "kits": [_line(k.school, k.label, k.items, k.cost) for k in plan.kits],
        "unfunded": [_line(u.school, u.what, (), u.cost, u.reason) for u in plan.unfunded],
    }
