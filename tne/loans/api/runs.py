"""The allocation runs in the API: the runs of the caller's territory (``loans.allocate`` on
their node), one run with its figures, its decisions (keyset by rank; a pupil by their code,
never a contact), starting a run (the same service as the pages: its job computes it), and a
« what if » of a done run with another stock or budget (computed, nothing saved)."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Uai, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.core.audit import AuditSource
from tne.core.scope import holds
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

from ..enums import RunStatus, UnservedReason
from ..models import AllocationRun, RunDecision
from ..perms import ALLOCATE
from ..selectors import runs as selectors
from ..services import runs as services

router = Router()
TAGS = ["Prêts (M6)"]
NBSP = "\u00a0"
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Identifiant de l'attribution.")]
CategoryCode = Literal[selectors.LENDABLE_CATEGORIES]
ReasonCode = Literal[tuple(UnservedReason.values)]
Count = Annotated[int, Field(ge=0, le=services.MAX_STOCK)]
Budget = Annotated[Decimal, Field(ge=0, le=services.MAX_BUDGET, decimal_places=2)]
UnitCost = Annotated[
    Decimal, Field(ge=Decimal("0.01"), le=services.MAX_UNIT_COST, decimal_places=2)
]
DepartementCode = Annotated[str, Field(pattern=r"^(\d{2}|2A|2B|\d{3})$", max_length=3)]


class RunNodeOut(Schema):
    """Le territoire d'une attribution."""

    kind: str = Field(description="Type du nœud (DEPARTEMENT, COMMUNE…).")
    code: str = Field(description="Code officiel (numéro de département, code INSEE…).")
    name: str


class RunOut(Schema):
    """Une attribution : ses données, son état et ses chiffres."""

    id: int
    label: str
    node: RunNodeOut
    category: str = Field(description=f"Code du matériel prêté («{NBSP}tablet{NBSP}»…).")
    status: ChoiceOut
    error: str = Field(description="Le message d'une attribution en échec (impossible…).")
    stock: int | None = Field(description="Stock prêtable (appareils) ; vide : sans limite.")
    budget: Decimal | None = Field(description="Budget TTC en euros ; vide : sans budget.")
    unit_cost: Decimal | None = Field(description="Coût unitaire TTC en euros.")
    departement_caps: dict[str, int] = Field(description="Plafond d'élèves par département.")
    candidates: int
    capacity: int = Field(description="Places : le stock, ou les appareils que paie le budget.")
    served: int
    total_priority: int
    unserved_by_reason: dict[str, int] = Field(description="Élèves non servis, par motif.")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    applied_at: datetime.datetime | None
    offers_made: int = Field(description="Propositions de prêt faites en l'appliquant.")
    offers_skipped: int = Field(description="Élèves servis qui avaient déjà un prêt en cours.")

    @staticmethod
    def resolve_node(obj: AllocationRun) -> dict:
        return {"kind": obj.node.kind, "code": obj.node.code, "name": obj.node.name}

    @staticmethod
    def resolve_category(obj: AllocationRun) -> str:
        return obj.category.code

    @staticmethod
    def resolve_status(obj: AllocationRun) -> dict | None:
        return choice(RunStatus, obj.status)


class RunPriorityLineOut(Schema):
    """Une ligne du détail de la priorité."""

    label: str
    points: int


class RunDecisionOut(Schema):
    """La décision d'une attribution pour un élève (pseudonyme : son code d'école)."""

    id: int
    rank: int = Field(description="Place dans l'ordre des priorités (1 : la plus haute).")
    pupil: str = Field(description="Code de l'élève donné par l'école.")
    school_uai: str
    priority: int
    breakdown: list[RunPriorityLineOut]
    served: bool
    reason: ChoiceOut | None = Field(description="Ce qui l'a arrêté, s'il n'est pas servi.")

    @staticmethod
    def resolve_pupil(obj: RunDecision) -> str:
        return obj.pupil.code

    @staticmethod
    def resolve_school_uai(obj: RunDecision) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_breakdown(obj: RunDecision) -> list[dict]:
        return [{"label": label, "points": points} for label, points in obj.breakdown]

    @staticmethod
    def resolve_reason(obj: RunDecision) -> dict | None:
        return choice(UnservedReason, obj.reason)


class RunDecisionFilters(FilterSchema):
    school: Annotated[Uai | None, FilterLookup("school__uai")] = Field(
        None, description="UAI de l'école."
    )
    served: Annotated[bool | None, FilterLookup("served")] = Field(
        None, description="Servis (true) ou non (false)."
    )
    reason: Annotated[ReasonCode | None, FilterLookup("reason")] = Field(
        None, description=f"Motif des non-servis («{NBSP}stock{NBSP}», «{NBSP}budget{NBSP}»…)."
    )

    def filter_school(self, value: str | None) -> Q:
        return Q(school__uai=value.upper()) if value else Q()


class RunIn(Schema):
    """Une attribution à lancer : son territoire, le matériel, le stock et/ou le budget."""

    node_kind: Literal[tuple(NodeKind.values)] = Field(
        description="Type du territoire (DEPARTEMENT, CIRCONSCRIPTION…)."
    )
    node_code: Code = Field(description="Code du territoire (02, 0201…).")
    category: CategoryCode = Field("tablet", description="Matériel prêté.")
    label: text(200) = Field("", description="Intitulé, facultatif.")
    current_stock: bool = Field(
        False, description="Le stock est celui des appareils en stock dans le territoire."
    )
    stock: Count | None = Field(None, description="Stock prêtable, s'il n'est pas le stock actuel.")
    budget: Budget | None = Field(None, description="Budget TTC en euros.")
    unit_cost: UnitCost | None = Field(
        None, description="Coût unitaire TTC ; par défaut le prix du modèle de référence."
    )
    departement_caps: dict[DepartementCode, Count] = Field(
        default_factory=dict, description="Plafond d'élèves servis par département."
    )


class RunWhatIfIn(Schema):
    """Un autre stock et/ou un autre budget."""

    stock: Count | None = Field(None, description="Autre stock (appareils).")
    budget: Budget | None = Field(None, description="Autre budget TTC en euros.")


class RunSchoolGainOut(Schema):
    """Une école qui gagne des élèves servis."""

    uai: str
    name: str
    before: int
    after: int


class RunWhatIfOut(Schema):
    """Le résultat d'une simulation (rien n'est enregistré)."""

    summary: str = Field(
        description=f"«{NBSP}120 élèves de plus servis pour 36 000 € de plus{NBSP}»."
    )
    stock: int | None
    budget: Decimal | None
    capacity: int | None
    served: int
    run_served: int
    extra_pupils: int
    extra_priority: int
    extra_cost: Decimal | None
    schools_gaining: int
    schools: list[RunSchoolGainOut] = Field(
        description="Les écoles qui gagnent le plus (100 au plus)."
    )


def _runs(user):
    return selectors.runs_for(user)


def _require_allocator(user) -> None:
    if not holds(user, ALLOCATE):
        raise HttpError(403, "Les attributions sont l'affaire du pilotage et des coordinations.")


@router.get(
    "/loans/runs",
    response={200: list[RunOut], 403: ErrorOut},
    tags=TAGS,
    summary="Lister les attributions",
    description="Les attributions des prêts de votre territoire, par identifiant.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_runs(request):
    _require_allocator(request.auth)
    return _runs(request.auth)


@router.get(
    "/loans/runs/{run_id}",
    response={200: RunOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire une attribution",
    description=f"Une attribution de votre territoire et ses chiffres{NBSP}; 404 hors de lui.",
)
def get_run(request, run_id: RunId):
    _require_allocator(request.auth)
    return get_object_or_404(_runs(request.auth), pk=run_id)


@router.get(
    "/loans/runs/{run_id}/decisions",
    response={200: list[RunDecisionOut], 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lister les décisions d'une attribution",
    description="Les décisions d'une attribution de votre territoire, par rang (élèves "
    "pseudonymes, jamais de coordonnées).",
)
@paginate(KeysetPagination, ordering=("rank",))
def list_decisions(request, run_id: RunId, filters: Query[RunDecisionFilters]):
    _require_allocator(request.auth)
    run = get_object_or_404(_runs(request.auth), pk=run_id)
    return filters.filter(
        selectors.decisions_of(run, request.auth).select_related("pupil", "school")
    )


@router.post(
    "/loans/runs",
    response={202: RunOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lancer une attribution",
    description=f"Lance une attribution sur un territoire que vous coordonnez{NBSP}: elle se "
    f"calcule en arrière-plan (état «{NBSP}QUEUED{NBSP}», puis «{NBSP}DONE{NBSP}» ou "
    f"«{NBSP}FAILED{NBSP}»). 404 pour un territoire inconnu, 403 hors de votre territoire, "
    "400 pour des données refusées, avec la raison.",
)
def start_run(request, payload: RunIn):
    _require_allocator(request.auth)
    node = get_object_or_404(TerritoryNode, kind=payload.node_kind, code=payload.node_code)
    category = get_object_or_404(selectors.lendable_categories(), code=payload.category)
    try:
        run = services.start_run(
            actor=request.auth,
            node=node,
            category=category,
            label=payload.label,
            stock=payload.stock,
            current_stock=payload.current_stock,
            budget=payload.budget,
            unit_cost=payload.unit_cost,
            departement_caps=dict(payload.departement_caps),
            source=AuditSource.API,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return Status(202, get_object_or_404(_runs(request.auth), pk=run.pk))


@router.post(
    "/loans/runs/{run_id}/what-if",
    response={200: RunWhatIfOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=TAGS,
    summary="Simuler une attribution avec un autre stock ou budget",
    description=f"La même attribution avec un autre stock et/ou un autre budget{NBSP}: combien "
    f"d'élèves de plus elle sert, pour combien d'euros, et les écoles qui y gagnent. Rien "
    f"n'est enregistré. 409 si l'attribution n'est pas terminée ou compte plus de "
    f"{selectors.WHAT_IF_INLINE_MAX:,} candidats (simulez-la depuis sa page)".replace(",", "\u202f")
    + ".",
)
def what_if(request, run_id: RunId, payload: RunWhatIfIn):
    _require_allocator(request.auth)
    run = get_object_or_404(_runs(request.auth), pk=run_id)
    if run.status != RunStatus.DONE:
        raise HttpError(409, "Cette attribution n'est pas terminée.")
    if run.candidates > selectors.WHAT_IF_INLINE_MAX:
        raise HttpError(409, "Cette attribution est trop grande pour une simulation immédiate.")
    if payload.stock is None and payload.budget is None:
        raise HttpError(400, "Indiquez un autre stock, un autre budget, ou les deux.")
    outcome = selectors.what_if(run, stock=payload.stock, budget=payload.budget)
    if outcome.error:
        raise HttpError(400, outcome.error)
    return {
        "summary": outcome.summary(),
        "stock": outcome.stock,
        "budget": outcome.budget,
        "capacity": outcome.capacity,
        "served": outcome.served,
        "run_served": outcome.run_served,
        "extra_pupils": outcome.extra_pupils,
        "extra_priority": outcome.extra_priority,
        "extra_cost": outcome.extra_cost,
        "schools_gaining": outcome.schools_gaining,
        "schools": [
            {"uai": s.uai, "name": s.name, "before": s.before, "after": s.after}
            for s in outcome.schools
        ],
    }
