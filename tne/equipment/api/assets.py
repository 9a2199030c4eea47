"""The asset register in the API: the devices the caller reads (``equipment.view``, by their
school or their stock), filtered and keyset-paginated by asset tag; one device with its
history; and the change of a device's state for who manages it (``equipment.manage_assets``),
through the same service and the same table of transitions as the pages."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Uai, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.core.audit import AuditSource
from tne.core.scope import scope_of
from tne.territory.models import School, TerritoryNode

from ..enums import AssetEventKind, AssetState
from ..models import Asset, AssetEvent
from ..perms import MANAGE_ASSETS, VIEW, can_manage_asset
from ..services import assets as services

router = Router()
TAGS = ["Équipement"]
AssetId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Identifiant du matériel.")]
StateCode = Literal[tuple(AssetState.values)]
Prefix = text(80)


class ModelRefOut(Schema):
    """Le modèle d'un matériel."""

    reference: str
    maker: str
    name: str
    category: str = Field(description="Code de la catégorie («\u00a0laptop\u00a0»…).")

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code


class PlaceOut(Schema):
    """Où est le matériel : une école (et une classe), ou le stock d'un territoire."""

    school_uai: str | None
    school_name: str | None
    school_class: str | None
    stock: str | None = Field(description="Code du territoire dont le stock le garde.")


def _place(asset: Asset) -> dict:
    return {
        "school_uai": asset.school.uai if asset.school_id else None,
        "school_name": asset.school.name if asset.school_id else None,
        "school_class": asset.school_class.name if asset.school_class_id else None,
        "stock": asset.stock_node.code if asset.stock_node_id and not asset.school_id else None,
    }


class AssetOut(Schema):
    """Un matériel du registre."""

    id: int
    asset_tag: str = Field(description="Numéro d'inventaire (celui de l'étiquette).")
    serial_number: str
    model: ModelRefOut
    state: ChoiceOut
    place: PlaceOut
    order_number: str | None = Field(description="La commande qui l'a payé.")
    delivered_on: datetime.date | None
    warranty_ends_on: datetime.date | None

    @staticmethod
    def resolve_state(obj: Asset) -> dict | None:
        return choice(AssetState, obj.state)

    @staticmethod
    def resolve_place(obj: Asset) -> dict:
        return _place(obj)

    @staticmethod
    def resolve_order_number(obj: Asset) -> str | None:
        return obj.order_line.order.number if obj.order_line_id else None


class EventOut(Schema):
    """Un événement de l'historique d'un matériel."""

    at: datetime.datetime
    kind: ChoiceOut
    from_state: ChoiceOut | None
    to_state: ChoiceOut | None
    note: str

    @staticmethod
    def resolve_kind(obj: AssetEvent) -> dict | None:
        return choice(AssetEventKind, obj.kind)

    @staticmethod
    def resolve_from_state(obj: AssetEvent) -> dict | None:
        return choice(AssetState, obj.from_state)

    @staticmethod
    def resolve_to_state(obj: AssetEvent) -> dict | None:
        return choice(AssetState, obj.to_state)


class AssetDetailOut(AssetOut):
    """Un matériel et son historique complet, du plus ancien au plus récent."""

    history: list[EventOut]

    @staticmethod
    def resolve_history(obj: Asset) -> list:
        return list(obj.events.order_by("at", "pk"))


class AssetFilters(FilterSchema):
    state: Annotated[StateCode | None, FilterLookup("state")] = Field(
        None, description="État («\u00a0IN_STOCK\u00a0», «\u00a0INSTALLED\u00a0»…)."
    )
    school: Annotated[Uai | None, FilterLookup("school__uai")] = Field(
        None, description="UAI de l'école."
    )
    category: Annotated[Code | None, FilterLookup("model__category__code")] = Field(
        None, description="Code de la catégorie."
    )
    model: Annotated[Code | None, FilterLookup("model__reference")] = Field(
        None, description="Référence du modèle."
    )
    q: Prefix | None = Field(
        None,
        description="Début du numéro d'inventaire ou de série, sans distinction de casse.",
    )

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(asset_tag__istartswith=value) | Q(serial_number__istartswith=value)

    def filter_school(self, value: str | None) -> Q:
        return Q(school__uai=value.upper()) if value else Q()


class StateIn(Schema):
    """Le nouvel état d'un matériel."""

    state: StateCode = Field(description="Le nouvel état.")
    note: Annotated[str, Field(max_length=255)] = Field("", description="Inscrite à l'historique.")


def _visible(user, permission=VIEW):
    """What ``Asset.objects.visible_to`` says, with the scope's school and stock ids as
    literal lists (one query each): PostgreSQL then knows how few devices a département holds
    and reads them by school rather than walking the national tag index."""
    scope = scope_of(user, permission)
    if scope.everything:
        return Asset.objects.all()
    schools = list(School.objects.filter(scope.school_q()).values_list("pk", flat=True))
    nodes = list(TerritoryNode.objects.filter(scope.node_q()).values_list("pk", flat=True))
    return Asset.objects.filter(
        Q(school_id__in=schools) | Q(school__isnull=True, stock_node_id__in=nodes)
    )


def _rows(user, permission=VIEW):
    return _visible(user, permission).select_related(
        "model__category", "school", "school_class", "stock_node", "order_line__order"
    )


@router.get(
    "/equipment/assets",
    response=list[AssetOut],
    tags=TAGS,
    summary="Lister les matériels",
    description="Les matériels de votre périmètre, par numéro d'inventaire.",
)
@paginate(KeysetPagination, ordering=("asset_tag",))
def list_assets(request, filters: Query[AssetFilters]):
    return filters.filter(_rows(request.auth))


@router.get(
    "/equipment/assets/{asset_id}",
    response={200: AssetDetailOut, 404: ErrorOut},
    tags=TAGS,
    summary="Consulter un matériel",
    description="Un matériel de votre périmètre et son historique.",
)
def get_asset(request, asset_id: AssetId):
    return get_object_or_404(_rows(request.auth), pk=asset_id)


@router.post(
    "/equipment/assets/{asset_id}/state",
    response={200: AssetOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=TAGS,
    summary="Changer l'état d'un matériel",
    description=(
        "Pour qui gère le registre de l'école ou du stock du matériel. Un changement que la "
        "table des transitions n'autorise pas est refusé (409), avec la raison ; un corps "
        "qui n'est pas du JSON, 400."
    ),
)
def set_asset_state(request, asset_id: AssetId, payload: StateIn):
    asset = get_object_or_404(_rows(request.auth), pk=asset_id)
    if not can_manage_asset(request.auth, asset):
        raise HttpError(403, f"Vous ne gérez pas le matériel {asset.asset_tag}.")
    try:
        services.set_state(
            actor=request.auth,
            asset=asset,
            state=payload.state,
            note=payload.note,
            source=AuditSource.API,
        )
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from error
    return get_object_or_404(_rows(request.auth), pk=asset_id)


__all__ = ["MANAGE_ASSETS", "router"]
