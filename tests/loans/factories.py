"""factory_boy factories of loans. A pupil needs ``school=``; a loan is built from its pupil
(its school and, by default, the « tablet » category). Devices come from
``tests.equipment.factories.AssetFactory`` (``lendable_asset`` gives one in stock at a school)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.equipment.factories import AssetFactory, DeviceModelFactory, category
from tne.core import crypto
from tne.equipment.enums import AssetState
from tne.loans.enums import HomeDevices, HomeInternet, LoanStatus
from tne.loans.models import GuardianContact, Loan, NeedDeclaration, Pupil
from tne.loans.services import tallies

__all__ = [
    "GuardianContactFactory",
    "LoanFactory",
    "NeedDeclarationFactory",
    "PupilFactory",
    "lendable_asset",
]


class PupilFactory(DjangoModelFactory):
    """Needs ``school=``."""

    class Meta:
        model = Pupil

    code = factory.Sequence(lambda n: f"E{n:05d}")
    level = "CM1"


class NeedDeclarationFactory(DjangoModelFactory):
    """Needs ``pupil=``. By default a family with no device and mobile internet only."""

    class Meta:
        model = NeedDeclaration

    devices_at_home = HomeDevices.NONE
    shared_with = None
    internet_at_home = HomeInternet.MOBILE
    declared_on = factory.LazyFunction(datetime.date.today)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services do: the school's tally of the dashboards counts the new need.
        need = super()._create(model_class, *args, **kwargs)
        tallies.recount([need.pupil.school_id])
        return need


class GuardianContactFactory(DjangoModelFactory):
    """Needs ``pupil=``; ``name``, ``phone`` and ``email`` are sealed into ``sealed``."""

    class Meta:
        model = GuardianContact
        exclude = ("name", "phone", "email")

    name = "Camille Martin"
    phone = "+33612345678"
    email = "camille.martin@example.org"
    sealed = factory.LazyAttribute(
        lambda o: crypto.seal({"name": o.name, "phone": o.phone, "email": o.email})
    )
    has_phone = factory.LazyAttribute(lambda o: bool(o.phone))
    has_email = factory.LazyAttribute(lambda o: bool(o.email))


class LoanFactory(DjangoModelFactory):
    """Needs ``pupil=``; an offer of a tablet unless told otherwise. For an active loan pass
    ``status=LoanStatus.ACTIVE`` and ``asset=`` (the factory does not go through the services:
    use them where the test is about the lifecycle; it recounts the school's tally, as they do)."""

    class Meta:
        model = Loan

    school = factory.LazyAttribute(lambda o: o.pupil.school)
    category = factory.LazyFunction(lambda: category("tablet"))
    status = LoanStatus.OFFERED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services do: the school's tally of the dashboards counts the new loan (a test
        # that changes a loan's row afterwards calls ``tallies.recount`` itself).
        loan = super()._create(model_class, *args, **kwargs)
        tallies.recount([loan.school_id])
        return loan


def lendable_asset(school, *, code: str = "tablet", **kwargs):
    """A device of category ``code`` in stock at ``school``."""
    return AssetFactory(
        model=DeviceModelFactory(category=category(code)),
        state=AssetState.IN_STOCK,
        school=school,
        **kwargs,
    )
