"""The catalogue part of the equipment API: the categories, the models one can buy and the kits
with their cost. Read by everyone holding ``equipment.view`` or ``equipment.view_progress``
(an empty list otherwise); keyset-paginated."""

from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice

from .. import pricing
from ..enums import KitTarget
from ..models import Category, DeviceModel, KitTemplate
from ..perms import can_view_equipment, can_view_progress

router = Router()
TAGS = ["Équipement — catalogue"]
NOT_FOUND = {404: ErrorOut}


def _reads(user) -> bool:
    return can_view_equipment(user) or can_view_progress(user)


class CatalogueModelRefOut(Schema):
    """Un modèle, en bref."""

    id: int
    reference: str
    maker: str
    name: str
    unit_price: Decimal = Field(description="Prix unitaire TTC en euros, exact au centime.")


class CatalogueCategoryOut(Schema):
    """Une catégorie de matériel et son modèle de référence (qui chiffre les kits)."""

    id: int
    code: str
    name: str
    reference_model: CatalogueModelRefOut | None = Field(
        description="`null` : les kits qui ne nomment que la catégorie ne sont pas chiffrés."
    )


class CatalogueModelOut(Schema):
    """Un modèle que l'on peut commander."""

    id: int
    category: str = Field(description="Code de la catégorie.")
    maker: str
    reference: str = Field(description="Référence telle que l'écrivent les fichiers de livraison.")
    name: str
    unit_price: Decimal = Field(description="Prix unitaire TTC en euros, exact au centime.")
    warranty_months: int
    is_active: bool = Field(description="`false` : retiré du catalogue.")

    @staticmethod
    def resolve_category(obj: DeviceModel) -> str:
        return obj.category.code


class CatalogueKitItemOut(Schema):
    """Une ligne d'un kit : une catégorie, un modèle (le sien ou celui de référence), une
    quantité."""

    category: str = Field(description="Code de la catégorie.")
    model: CatalogueModelRefOut | None = Field(description="`null` : la ligne n'est pas chiffrée.")
    model_is_reference: bool = Field(description="`true` : le modèle de référence de la catégorie.")
    quantity: int


class CatalogueKitOut(Schema):
    """Un kit, sa composition et son coût."""

    id: int
    code: str
    name: str
    measure: str = Field(description="Code de la mesure.")
    target: ChoiceOut
    is_active: bool
    cost: Decimal | None = Field(
        description="Coût TTC d'un kit en euros ; `null` si une ligne n'est pas chiffrée."
    )
    items: list[CatalogueKitItemOut]

    @staticmethod
    def resolve_measure(obj: KitTemplate) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_target(obj: KitTemplate) -> dict | None:
        return choice(KitTarget, obj.target)

    @staticmethod
    def resolve_cost(obj: KitTemplate) -> Decimal | None:
        return pricing.kit_cost(obj)

    @staticmethod
    def resolve_items(obj: KitTemplate) -> list[dict]:
        return [
            {
                "category": item.category.code,
                "model": pricing.item_model(item),
                "model_is_reference": item.model_id is None,
                "quantity": item.quantity,
            }
            for item in obj.items.all()
        ]


class CatalogueModelFilters(FilterSchema):
    category: Annotated[Code | None, FilterLookup("category__code")] = Field(
        None, description="Code de la catégorie (« laptop »)."
    )
    q: Annotated[
        Text | None,
        FilterLookup(["maker__icontains", "name__icontains", "reference__icontains"]),
    ] = Field(None, description="Fabricant, désignation ou référence contenant ce texte.")
    is_active: bool | None = Field(None, description="`true` : les modèles au catalogue.")


@router.get(
    "/equipment/categories",
    response=list[CatalogueCategoryOut],
    tags=TAGS,
    summary="Lister les catégories de matériel",
    description="Les catégories et leur modèle de référence.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_categories(request):
    if not _reads(request.auth):
        return Category.objects.none()
    return Category.objects.select_related("reference_model")


@router.get(
    "/equipment/models",
    response=list[CatalogueModelOut],
    tags=TAGS,
    summary="Lister les modèles du catalogue",
    description="Les modèles que l'on peut commander, avec leur prix TTC.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_models(request, filters: Query[CatalogueModelFilters]):
    if not _reads(request.auth):
        return DeviceModel.objects.none()
    return filters.filter(DeviceModel.objects.select_related("category"))


def _kits():
    return pricing.with_items(KitTemplate.objects.select_related("measure"))


@router.get(
    "/equipment/kits",
    response=list[CatalogueKitOut],
    tags=TAGS,
    summary="Lister les kits",
    description="Les kits, leur composition et leur coût.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_kits(request):
    if not _reads(request.auth):
        return KitTemplate.objects.none()
    return _kits()


@router.get(
    "/equipment/kits/{code}",
    response={200: CatalogueKitOut, **NOT_FOUND},
    tags=TAGS,
    summary="Lire un kit",
    description="Un kit par son code (« kit-hybride »), sa composition et son coût.",
)
def get_kit(request, code: Annotated[Code, Path(description="Code du kit.")]):
    kits = _kits() if _reads(request.auth) else KitTemplate.objects.none()
    return get_object_or_404(kits, code=code)
