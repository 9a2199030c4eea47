"""The orders part of the equipment API: the orders the caller reads (charged to envelopes of
their territory, ``equipment.view_progress``) with their lines, and the budget ledger of a
measure on a node. Keyset-paginated; only figures, never a person."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.programme.models import Measure

from .. import ledger as ledgers
from ..enums import OrderStatus
from ..models import Order
from ..orders_forms import EQUIPMENT_MEASURES
from ..perms import VIEW_PROGRESS

router = Router()
TAGS = ["Équipement — commandes et budget"]
NOT_FOUND = {404: ErrorOut}


class LedgerNodeOut(Schema):
    """Un territoire."""

    id: int
    kind: str = Field(description="Type du nœud (COUNTRY, DEPARTEMENT…).")
    code: str
    name: str


class PurchaseOrderLineOut(Schema):
    """Une ligne de commande."""

    model_reference: str
    quantity: int
    unit_price: Decimal = Field(description="Prix unitaire TTC en euros.")
    delivered: int = Field(description="Matériels entrés au registre sur cette ligne.")

    @staticmethod
    def resolve_model_reference(obj) -> str:
        return obj.model.reference


class PurchaseOrderOut(Schema):
    """Une commande imputée à une enveloppe."""

    id: int
    number: str
    supplier: str
    measure: str = Field(description="Code de la mesure de l'enveloppe.")
    envelope_id: int
    node: LedgerNodeOut = Field(description="Le territoire de l'enveloppe.")
    status: ChoiceOut
    ordered_on: datetime.date | None
    total: Decimal = Field(description="Montant TTC en euros.")
    overridden: bool = Field(description="`true` : engagée au-delà de l'enveloppe, motivée.")
    campaign_id: int | None
    lines: list[PurchaseOrderLineOut]

    @staticmethod
    def resolve_supplier(obj: Order) -> str:
        return obj.supplier.name

    @staticmethod
    def resolve_measure(obj: Order) -> str:
        return obj.envelope.measure.code

    @staticmethod
    def resolve_node(obj: Order):
        return obj.envelope.node

    @staticmethod
    def resolve_status(obj: Order) -> dict | None:
        return choice(OrderStatus, obj.status)

    @staticmethod
    def resolve_overridden(obj: Order) -> bool:
        return bool(obj.override_reason)

    @staticmethod
    def resolve_lines(obj: Order) -> list:
        return list(obj.lines.all())


class PurchaseOrderFilters(FilterSchema):
    measure: Annotated[Code | None, FilterLookup("envelope__measure__code")] = Field(
        None, description="Code de la mesure (« M5 »)."
    )
    status: Annotated[Code | None, FilterLookup("status")] = Field(
        None, description="DRAFT, COMMITTED ou CANCELLED."
    )
    number: Annotated[Text | None, FilterLookup("number__icontains")] = Field(
        None, description="Numéro de commande contenant ce texte."
    )


def _orders(request):
    return (
        Order.objects.visible_to(request.auth, VIEW_PROGRESS)
        .select_related("supplier", "envelope__measure", "envelope__node")
        .prefetch_related("lines__model")
    )


@router.get(
    "/equipment/orders",
    response=list[PurchaseOrderOut],
    tags=TAGS,
    summary="Lister les commandes",
    description="Les commandes imputées aux enveloppes de votre territoire, avec leurs lignes.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_orders(request, filters: Query[PurchaseOrderFilters]):
    return filters.filter(_orders(request))


@router.get(
    "/equipment/orders/{order_id}",
    response={200: PurchaseOrderOut, **NOT_FOUND},
    tags=TAGS,
    summary="Lire une commande",
    description="Une commande de votre territoire ; 404 hors de votre périmètre.",
)
def get_order(request, order_id: Annotated[int, Path(description="Identifiant.", ge=1, le=2**62)]):
    return get_object_or_404(_orders(request), pk=order_id)


class LedgerRowOut(Schema):
    """Les chiffres d'un territoire pour une mesure, en euros."""

    node: LedgerNodeOut
    envelope: Decimal = Field(description="Montant des enveloppes de la mesure du territoire.")
    split: Decimal = Field(description="Part répartie aux enveloppes des territoires en dessous.")
    committed: Decimal = Field(description="Commandes engagées sur ses enveloppes.")
    spent: Decimal = Field(description="Factures de ces commandes.")
    remaining: Decimal = Field(description="Enveloppe − répartie − engagé.")
    subtree_committed: Decimal = Field(description="Engagé sur le territoire et en dessous.")
    beneficiaries: int = Field(
        description="Classes équipées (M4, M5) ou nouveaux enseignants équipés (M7)."
    )
    cost_per_beneficiary: Decimal | None = Field(
        description="Engagé sur le territoire ÷ bénéficiaires ; `null` sans bénéficiaire."
    )

    @staticmethod
    def resolve_envelope(obj) -> Decimal:
        return obj.amount


class LedgerOut(Schema):
    """Le suivi budgétaire d'une mesure sur un territoire et les territoires en dessous qui ont
    une enveloppe."""

    measure: str
    node: LedgerNodeOut
    rows: list[LedgerRowOut] = Field(description="Le territoire d'abord, puis ceux en dessous.")

    @staticmethod
    def resolve_measure(obj) -> str:
        return obj.measure.code


MEASURE_PARAM = Query("M5", description="Code de la mesure : M4, M5 ou M7.")
NODE_PARAM = Query(None, description="Identifiant du territoire.", ge=1, le=2**62)


@router.get(
    "/equipment/ledger",
    response={200: LedgerOut, **NOT_FOUND},
    tags=TAGS,
    summary="Lire le suivi budgétaire",
    description="Enveloppe, engagé, dépensé, reste et coût par bénéficiaire d'une mesure "
    "d'équipement sur un territoire de votre périmètre (par défaut le vôtre) ; 404 pour une "
    "mesure qui n'est pas d'équipement ou un territoire hors de votre périmètre.",
)
def get_ledger(
    request,
    measure: Code = MEASURE_PARAM,
    node: int | None = NODE_PARAM,
):
    found = get_object_or_404(Measure.objects.filter(code__in=EQUIPMENT_MEASURES), code=measure)
    if node is None:
        place = ledgers.default_node(request.auth)
        if place is None:
            return 404, {"detail": "Aucun territoire à suivre dans votre périmètre."}
    else:
        place = get_object_or_404(ledgers.ledger_nodes(request.auth), pk=node)
    return ledgers.ledger_for(measure=found, node=place)
