"""The deployments part of the API: the campaigns and allocations the caller reads
(``equipment.view`` on their schools, as on the pages), keyset-paginated, and the progress of
a measure on a territory node (``equipment.view_progress``: figures only, read from the
tallies). Read-only."""

import datetime
from typing import Annotated, Literal

from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Uai
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.programme.models import Measure
from tne.territory.models import TerritoryNode

from .. import deployment_selectors as selectors
from ..enums import AllocationStatus
from ..models import Allocation, Campaign
from ..perms import VIEW, can_view_progress

router = Router()
TAGS = ["Équipement — déploiements"]
StatusCode = Literal[
    "PLANNED", "ORDERED", "DELIVERED", "INSTALLED", "IN_SERVICE", "RETURNED", "CANCELLED"
]
MeasureCode = Literal["M4", "M5", "M7"]
NodeKindCode = Literal["COUNTRY", "REGION", "ACADEMIE", "DEPARTEMENT", "CIRCONSCRIPTION", "COMMUNE"]


class NodeRefOut(Schema):
    kind: str = Field(description="Type du nœud (COUNTRY, DEPARTEMENT…).")
    code: str
    name: str


def _node(node: TerritoryNode) -> dict:
    return {"kind": node.kind, "code": node.code, "name": node.name}


class CampaignOut(Schema):
    """Une campagne de déploiement : un kit d'une mesure affecté dans un territoire."""

    id: int
    name: str
    measure: str = Field(description="Code de la mesure.")
    kit: str = Field(description="Code du kit (« kit-hybride »).")
    node: NodeRefOut
    created_at: datetime.datetime

    @staticmethod
    def resolve_measure(obj: Campaign) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_kit(obj: Campaign) -> str:
        return obj.kit.code

    @staticmethod
    def resolve_node(obj: Campaign) -> dict:
        return _node(obj.node)


class AllocationOut(Schema):
    """Un kit affecté à une classe (ou à une école), avec la date de chaque étape."""

    id: int
    campaign_id: int
    measure: str
    kit: str
    uai: str = Field(description="UAI de l'école.")
    school_class: str | None = Field(description="Nom de la classe ; `null` pour un kit d'école.")
    status: ChoiceOut
    ordered_on: datetime.date | None
    delivered_on: datetime.date | None
    installed_on: datetime.date | None
    in_service_on: datetime.date | None

    @staticmethod
    def resolve_measure(obj: Allocation) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_kit(obj: Allocation) -> str:
        return obj.kit.code

    @staticmethod
    def resolve_uai(obj: Allocation) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_school_class(obj: Allocation) -> str | None:
        return obj.school_class.name if obj.school_class_id else None

    @staticmethod
    def resolve_status(obj: Allocation) -> dict | None:
        return choice(AllocationStatus, obj.status)


class AllocationFilters(FilterSchema):
    campaign: Annotated[int | None, FilterLookup("campaign_id")] = Field(
        None, ge=1, le=2**31 - 1, description="Identifiant de la campagne."
    )
    status: Annotated[StatusCode | None, FilterLookup("status")] = Field(None, description="Étape.")
    measure: Annotated[MeasureCode | None, FilterLookup("measure__code")] = Field(
        None, description="Code de la mesure."
    )
    uai: Annotated[Uai | None, FilterLookup("school__uai__iexact")] = Field(
        None, description="UAI de l'école."
    )
    commune: Annotated[Code | None, FilterLookup("school__commune__code")] = Field(
        None, description="Code INSEE de la commune (« 02408 »)."
    )


class ProgressRowOut(Schema):
    node: NodeRefOut
    steps: dict[str, int] = Field(description="Affectations à chaque étape (PLANNED…IN_SERVICE).")
    total: int
    in_service: int
    target: int | None = Field(description="Objectif de la période en cours ; `null` sans.")


class ProgressOut(Schema):
    """L'avancement d'une mesure dans un territoire et dans chacun de ses sous-territoires."""

    measure: str
    period: str | None
    total: ProgressRowOut
    rows: list[ProgressRowOut]


def _row(row) -> dict:
    return {
        "node": _node(row.node),
        "steps": {step: row.counts.get(step, 0) for step in selectors.STEPS},
        "total": row.total,
        "in_service": row.in_service,
        "target": row.target,
    }


@router.get(
    "/equipment/campaigns",
    response=list[CampaignOut],
    tags=TAGS,
    summary="Lister les campagnes de déploiement",
    description="Les campagnes de votre territoire et celles qui ont des affectations dans vos "
    "écoles.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_campaigns(request):
    return selectors.campaigns_for(request.auth)


@router.get(
    "/equipment/allocations",
    response=list[AllocationOut],
    tags=TAGS,
    summary="Lister les affectations",
    description="Les kits affectés aux classes et aux écoles de votre périmètre, filtrés.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_allocations(request, filters: Query[AllocationFilters]):
    rows = Allocation.objects.visible_to(request.auth, VIEW).select_related(
        "measure", "kit", "school", "school_class"
    )
    return filters.filter(rows)


@router.get(
    "/equipment/progress/{measure}/{kind}/{code}",
    response={200: ProgressOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire l'avancement d'une mesure dans un territoire",
    description="Les affectations de la mesure à chaque étape dans le territoire et dans chacun "
    "de ses sous-territoires (départements du pays, communes d'un département), avec les "
    "objectifs de la période en cours ; 403 sans accès à l'avancement, 404 pour un territoire "
    "que vous ne suivez pas.",
)
def get_progress(
    request,
    measure: Annotated[MeasureCode, Path(description="Code de la mesure.")],
    kind: Annotated[NodeKindCode, Path(description="Type du nœud.")],
    code: Annotated[Code, Path(description="Code officiel du nœud (« FR », « 02 »).")],
):
    if not can_view_progress(request.auth):
        raise HttpError(403, "L'avancement des déploiements est réservé aux agents.")
    node = selectors.progress_nodes(request.auth).filter(kind=kind, code=code).first()
    found = Measure.objects.filter(code=measure).first()
    if node is None or found is None:
        raise HttpError(404, "Territoire inconnu ou hors de votre périmètre.")
    result = selectors.measure_progress(request.auth, measure=found, node=node)
    return {
        "measure": found.code,
        "period": result.period.label if result.period else None,
        "total": _row(result.total),
        "rows": [_row(row) for row in result.rows],
    }
