"""factory_boy factories of the programme. The eight measures exist in every database (data
migration): ``measure("M4")`` fetches one."""

import datetime
import importlib
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tne.programme.enums import PeriodKind, Unit
from tne.programme.models import Envelope, Measure, Period, Target

MIGRATION = importlib.import_module("tne.programme.migrations.0002_measures")


def ensure_measures() -> None:
    """The eight measures of the data migration, back after a test that flushed the database
    (``transaction=True``)."""
    if Measure.objects.count() < len(MIGRATION.MEASURES):
        for order, (code, title, description) in enumerate(MIGRATION.MEASURES, start=1):
            Measure.objects.get_or_create(
                code=code, defaults={"title": title, "description": description, "order": order}
            )


def measure(code: str) -> Measure:
    ensure_measures()
    return Measure.objects.get(code=code)


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("label",)

    label = "Phase pilote"
    kind = PeriodKind.PHASE
    starts_on = datetime.date(2020, 9, 1)
    ends_on = None


class TargetFactory(DjangoModelFactory):
    """Needs ``node=``."""

    class Meta:
        model = Target

    measure = factory.LazyFunction(lambda: measure("M4"))
    period = factory.SubFactory(PeriodFactory)
    count = 2_700
    unit = Unit.CLASSES


class EnvelopeFactory(DjangoModelFactory):
    """Needs ``node=``."""

    class Meta:
        model = Envelope

    measure = factory.LazyFunction(lambda: measure("M4"))
    period = None
    amount = Decimal("9000000.00")
