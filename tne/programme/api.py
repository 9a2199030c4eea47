"""The programme part of the REST API: the measures, and the targets and envelopes the caller
reads (``.visible_to(request.auth)``: the national figures and those of their territory, as on
the « Programme » page). Read-only, keyset-paginated."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Text
from tne.core.api.schemas import ChoiceOut, choice
from tne.territory.models import TerritoryNode

from .enums import PeriodKind, Unit
from .models import Envelope, Measure, Period, Target

router = Router()
TAGS = ["Programme"]


class MeasureOut(Schema):
    """Une mesure du programme (M1 à M8)."""

    code: str = Field(description="Code de la mesure, « M4 ».")
    title: str
    description: str
    order: int


class PeriodOut(Schema):
    """Une période du programme : année scolaire ou phase."""

    label: str
    kind: ChoiceOut
    starts_on: datetime.date
    ends_on: datetime.date | None = Field(description="`null` pour une phase en cours.")

    @staticmethod
    def resolve_kind(obj: Period) -> dict | None:
        return choice(PeriodKind, obj.kind)


class NodeRefOut(Schema):
    """Le territoire qui porte l'objectif ou l'enveloppe."""

    kind: str = Field(description="Type du nœud (COUNTRY, DEPARTEMENT…).")
    code: str
    name: str


def _node(node: TerritoryNode) -> dict:
    return {"kind": node.kind, "code": node.code, "name": node.name}


class TargetOut(Schema):
    """Un objectif : ce qu'une mesure doit atteindre dans un territoire sur une période."""

    id: int
    measure: str = Field(description="Code de la mesure.")
    node: NodeRefOut
    period: PeriodOut
    count: int
    unit: ChoiceOut
    note: str

    @staticmethod
    def resolve_measure(obj: Target) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_node(obj: Target) -> dict:
        return _node(obj.node)

    @staticmethod
    def resolve_unit(obj: Target) -> dict | None:
        return choice(Unit, obj.unit)


class EnvelopeOut(Schema):
    """Une enveloppe budgétaire d'une mesure pour un territoire, en euros."""

    id: int
    measure: str = Field(description="Code de la mesure.")
    node: NodeRefOut
    period: PeriodOut | None
    amount: Decimal = Field(description="Montant en euros, exact au centime.")
    parent_id: int | None = Field(description="L'enveloppe dont celle-ci est une part.")
    note: str

    @staticmethod
    def resolve_measure(obj: Envelope) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_node(obj: Envelope) -> dict:
        return _node(obj.node)


class FigureFilters(FilterSchema):
    measure: Annotated[Code | None, FilterLookup("measure__code")] = Field(
        None, description="Code de la mesure (« M4 »)."
    )
    period: Annotated[Text | None, FilterLookup("period__label")] = Field(
        None, description="Libellé de la période."
    )
    node_code: Annotated[Code | None, FilterLookup("node__code")] = Field(
        None, description="Code du territoire (« FR », « 02 »)."
    )


@router.get(
    "/programme/measures",
    response=list[MeasureOut],
    tags=TAGS,
    summary="Lister les mesures du programme",
    description="Les huit mesures, dans leur ordre.",
)
@paginate(KeysetPagination, ordering=("order", "pk"))
def list_measures(request):
    return Measure.objects.visible_to(request.auth)


@router.get(
    "/programme/targets",
    response=list[TargetOut],
    tags=TAGS,
    summary="Lister les objectifs",
    description="Les objectifs nationaux et ceux de votre territoire.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_targets(request, filters: Query[FigureFilters]):
    rows = Target.objects.visible_to(request.auth).select_related("measure", "node", "period")
    return filters.filter(rows)


@router.get(
    "/programme/envelopes",
    response=list[EnvelopeOut],
    tags=TAGS,
    summary="Lister les enveloppes",
    description="Les enveloppes nationales et celles de votre territoire, en euros.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_envelopes(request, filters: Query[FigureFilters]):
    rows = Envelope.objects.visible_to(request.auth).select_related("measure", "node", "period")
    return filters.filter(rows)
