"""The two rules of lending are the database's, on SQLite and PostgreSQL alike: a device is in at
most one active loan, a pupil in at most one open loan per kind of device — whatever writes, even
a raw ``Loan.objects.create`` that skips the services. The services turn the refusal into a
French sentence naming the loan."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.loans.enums import LoanOutcome, LoanStatus
from tne.loans.models import Loan
from tne.loans.services import lifecycle

from .factories import LoanFactory, PupilFactory
from .lifecycle_factories import Counter, accepted_loan, active_loan, lendable_asset, signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def raw_loan(school, **values):
    pupil = values.pop("pupil", None) or PupilFactory(school=school)
    return Loan.objects.create(
        pupil=pupil, school=school, category=values.pop("category"), **values
    )


def test_the_database_refuses_a_second_active_loan_of_a_device(counter):
    loan = active_loan(counter)

    with pytest.raises(IntegrityError), transaction.atomic():
        raw_loan(counter.school, category=loan.category, status=LoanStatus.ACTIVE, asset=loan.asset)

    assert Loan.objects.filter(asset=loan.asset).count() == 1


def test_a_device_may_have_many_closed_loans_and_one_active(counter):
    loan = active_loan(counter)
    for _ in range(2):
        raw_loan(
            counter.school,
            category=loan.category,
            status=LoanStatus.CLOSED,
            outcome=LoanOutcome.RETURNED,
            asset=loan.asset,
        )
    assert Loan.objects.filter(asset=loan.asset).count() == 3


def test_the_database_refuses_a_second_open_loan_of_a_kind_for_a_pupil(counter):
    loan = accepted_loan(counter.school)

    for status in (LoanStatus.OFFERED, LoanStatus.ACCEPTED):
        with pytest.raises(IntegrityError), transaction.atomic():
            raw_loan(counter.school, pupil=loan.pupil, category=loan.category, status=status)

    # Another kind of device, or a closed loan of that kind, is another matter.
    from tests.equipment.factories import category

    raw_loan(counter.school, pupil=loan.pupil, category=category("router-4g"))
    raw_loan(counter.school, pupil=loan.pupil, category=loan.category, status=LoanStatus.DECLINED)
    assert Loan.objects.filter(pupil=loan.pupil).count() == 3


def test_the_database_refuses_an_active_loan_without_a_device(counter):
    from tests.equipment.factories import category

    with pytest.raises(IntegrityError), transaction.atomic():
        raw_loan(counter.school, category=category("tablet"), status=LoanStatus.ACTIVE)


def test_the_service_answers_the_index_refusal_in_french_and_writes_nothing(counter):
    """The register says « en stock » but a loan written past the services holds the device:
    the service's checks pass, the unique index refuses, the answer names that loan."""
    asset = lendable_asset(counter.school)
    intruder = raw_loan(
        counter.school,
        category=asset.model.category,
        status=LoanStatus.ACTIVE,
        asset=asset,
    )
    loan = accepted_loan(counter.school)

    with pytest.raises(ValidationError) as caught:
        lifecycle.hand_out(
            actor=counter.head,
            loan=loan,
            asset_tag=asset.asset_tag,
            signature_data=signed(),
            prepare=True,
        )

    assert caught.value.message_dict["asset_tag"] == [
        f"Ce matériel ({asset.asset_tag}) est déjà prêté (prêt n°\u00a0{intruder.pk})."
    ]
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACCEPTED
    assert Asset.objects.get(pk=asset.pk).state == AssetState.IN_STOCK
    assert not loan.events.exists()


def test_a_factory_offer_next_to_an_active_loan_of_the_same_kind_is_refused(counter):
    loan = active_loan(counter)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanFactory(pupil=loan.pupil)
