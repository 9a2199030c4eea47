"""factory_boy factories of equipment. The categories and the five kits exist in every database
(data migration): ``category("webcam")`` and ``kit("kit-hybride")`` fetch them;
``price_kits()`` gives every category a priced reference model."""

import datetime
import importlib
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.programme.factories import EnvelopeFactory, measure
from tne.equipment.enums import AllocationStatus, AssetState
from tne.equipment.models import (
    Allocation,
    Asset,
    Campaign,
    Category,
    DeviceModel,
    KitItem,
    KitTemplate,
    Order,
    OrderLine,
    Supplier,
)

MIGRATION = importlib.import_module("tne.equipment.migrations.0002_categories_and_kits")

# A plausible price incl. VAT per category, for tests and the demo's first guess.
PRICES = {
    "interactive-display": Decimal("2890.00"),
    "projector": Decimal("890.00"),
    "document-camera": Decimal("129.00"),
    "laptop": Decimal("749.00"),
    "tablet": Decimal("329.00"),
    "webcam": Decimal("89.90"),
    "microphone": Decimal("119.00"),
    "speakers": Decimal("99.00"),
    "wifi-access-point": Decimal("249.00"),
    "router-4g": Decimal("189.00"),
    "printer-scanner": Decimal("399.00"),
    "charging-cart": Decimal("1290.00"),
}


def ensure_catalogue() -> None:
    """The categories and kits of the data migration (after a flush)."""
    if not KitTemplate.objects.exists():
        from django.apps import apps

        MIGRATION.load(apps, None)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def kit(code: str) -> KitTemplate:
    return KitTemplate.objects.get(code=code)


class DeviceModelFactory(DjangoModelFactory):
    class Meta:
        model = DeviceModel

    category = factory.LazyFunction(lambda: category("laptop"))
    maker = "Fabricant"
    reference = factory.Sequence(lambda n: f"REF-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"{o.category.name} {o.reference}")
    unit_price = factory.LazyAttribute(lambda o: PRICES.get(o.category.code, Decimal("100.00")))
    warranty_months = 24


def price_kits() -> dict[str, DeviceModel]:
    """A reference model for every category (so every kit has a cost)."""
    models = {}
    for cat in Category.objects.all():
        if cat.reference_model_id is None:
            cat.reference_model = DeviceModelFactory(category=cat, reference=f"STD-{cat.code}")
            cat.save(update_fields=["reference_model"])
        models[cat.code] = cat.reference_model
    return models


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("name",)

    name = "UGAP"


class CampaignFactory(DjangoModelFactory):
    """Needs ``node=``."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campagne {n}")
    kit = factory.LazyFunction(lambda: kit("kit-hybride"))
    measure = factory.LazyAttribute(lambda o: o.kit.measure)


class AllocationFactory(DjangoModelFactory):
    """Needs ``campaign=`` and ``school=`` (and ``school_class=`` or ``staff=``)."""

    class Meta:
        model = Allocation

    kit = factory.LazyAttribute(lambda o: o.campaign.kit)
    measure = factory.LazyAttribute(lambda o: o.campaign.measure)
    status = AllocationStatus.PLANNED


class OrderFactory(DjangoModelFactory):
    """Needs ``envelope=`` (e.g. ``EnvelopeFactory(node=tree.aisne, measure=measure("M5"))``)."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"CMD-{n:06d}")
    supplier = factory.SubFactory(SupplierFactory)
    ordered_on = datetime.date(2026, 10, 1)


class OrderLineFactory(DjangoModelFactory):
    """Needs ``order=``."""

    class Meta:
        model = OrderLine

    model = factory.SubFactory(DeviceModelFactory)
    quantity = 10
    unit_price = factory.LazyAttribute(lambda o: o.model.unit_price)


class AssetFactory(DjangoModelFactory):
    class Meta:
        model = Asset

    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    asset_tag = factory.Sequence(lambda n: f"TNE-{n:07d}")
    model = factory.SubFactory(DeviceModelFactory)
    state = AssetState.IN_STOCK


__all__ = [
    "PRICES",
    "AllocationFactory",
    "AssetFactory",
    "CampaignFactory",
    "DeviceModelFactory",
    "EnvelopeFactory",
    "KitItem",
    "OrderFactory",
    "OrderLineFactory",
    "SupplierFactory",
    "category",
    "ensure_catalogue",
    "kit",
    "measure",
    "price_kits",
]
