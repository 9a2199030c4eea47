"""Hand-outs at once on PostgreSQL (threads, each its own connection): the same device to two
pupils, the same pupil's loan with two devices. Exactly one wins; the other gets the French
sentence, and the database holds one active loan of the device."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan
from tne.loans.services import lifecycle

from .lifecycle_factories import Counter, accepted_loan, lendable_asset, signed

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def race(*calls):
    """Run the calls at once in threads; what each returned or the ValidationError it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=20)
            outcomes[index] = call()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def hand_out(counter, loan, tag, name, *, prepare=False):
    return lambda: lifecycle.hand_out(
        actor=counter.head,
        loan=loan,
        asset_tag=tag,
        signature_data=signed(name),
        prepare=prepare,
    )


def test_the_same_device_to_two_pupils_at_once_lends_it_once(tree):
    counter = Counter(tree)
    asset = lendable_asset(counter.school)
    first, second = accepted_loan(counter.school), accepted_loan(counter.school)

    # As the API does it: each call prepares the convention of the device inside its lock; the
    # first reservation of the device wins (one open loan per device), the other is refused.
    outcomes = race(
        hand_out(counter, first, asset.asset_tag, "Camille Martin", prepare=True),
        hand_out(counter, second, asset.asset_tag, "Luc Petit", prepare=True),
    )

    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    won = [o for o in outcomes if isinstance(o, Loan)]
    assert len(errors) == 1 and len(won) == 1
    assert errors[0].message_dict["asset_tag"] in (
        [f"Ce matériel ({asset.asset_tag}) est déjà prêté (prêt n°\u00a0{won[0].pk})."],
        [f"Ce matériel ({asset.asset_tag}) est déjà réservé pour le prêt n°\u00a0{won[0].pk}."],
    )
    assert Loan.objects.filter(asset=asset, status=LoanStatus.ACTIVE).count() == 1
    lost = second if won[0].pk == first.pk else first
    assert Loan.objects.get(pk=lost.pk).status == LoanStatus.ACCEPTED
    assert Asset.objects.get(pk=asset.pk).state == AssetState.LENT


def test_the_same_pupils_loan_with_two_devices_at_once_is_handed_out_once(tree):
    counter = Counter(tree)
    loan = accepted_loan(counter.school)
    tags = [lendable_asset(counter.school).asset_tag for _ in range(2)]

    # As the API does it: each call prepares the convention of its device inside its lock.
    outcomes = race(
        hand_out(counter, loan, tags[0], "Camille Martin", prepare=True),
        hand_out(counter, loan, tags[1], "Camille Martin", prepare=True),
    )

    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(errors) == 1
    assert f"Le prêt n°\u00a0{loan.pk} est déjà en cours" in " ".join(errors[0].messages)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.asset.asset_tag in tags
    states = sorted(Asset.objects.filter(asset_tag__in=tags).values_list("state", flat=True))
    assert states == sorted([AssetState.LENT, AssetState.IN_STOCK])
    assert Loan.objects.filter(pupil=loan.pupil).count() == 1


def test_raw_writes_at_once_the_index_lets_one_active_loan_of_a_device_through(tree):
    """Two transactions that skip the services entirely: the partial unique index alone makes
    the second wait for the first and fail."""
    from django.db import IntegrityError, transaction

    counter = Counter(tree)
    asset = lendable_asset(counter.school)
    loans = [accepted_loan(counter.school) for _ in range(2)]
    refused = []

    def activate(loan):
        def call():
            try:
                with transaction.atomic():
                    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.ACTIVE, asset=asset)
            except IntegrityError:
                refused.append(loan.pk)

        return call

    race(activate(loans[0]), activate(loans[1]))

    assert len(refused) == 1
    assert Loan.objects.filter(asset=asset, status=LoanStatus.ACTIVE).count() == 1
