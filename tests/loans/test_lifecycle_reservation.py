"""One device, one open loan: the convention prepared at the scan reserves the device for its
loan until the return (``lifecycle.prepare_agreement``); another loan naming it is refused in
French, by the service's check and by the partial unique index ``loans_one_open_loan_per_device``
(SQLite and PostgreSQL alike; two scans at once on PostgreSQL, in threads). Preparing again for
the same device keeps the document; another device replaces it and frees the first."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tne.core.models import Document
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan, LoanEventKind
from tne.loans.services import lifecycle

from .lifecycle_factories import Counter, accepted_loan, active_loan, lendable_asset, signed
from .test_integrity_race import race

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


def prepare(counter, loan, tag, **extra):
    return lifecycle.prepare_agreement(actor=counter.head, loan=loan, asset_tag=tag, **extra)


def reserved(tag, loan) -> str:
    return f"Ce matériel ({tag}) est déjà réservé pour le prêt n°\u00a0{loan.pk}."


def test_preparing_twice_for_the_same_device_keeps_the_document_and_its_date(counter):
    asset = lendable_asset(counter.school)
    due = timezone.localdate() + datetime.timedelta(days=40)
    first = prepare(counter, accepted_loan(counter.school), asset.asset_tag, due_on=due)

    again = prepare(counter, first, asset.asset_tag.lower())  # no date: the one shown

    assert again.agreement_id == first.agreement_id and again.due_on == due
    assert Document.objects.count() == 1
    assert first.events.filter(kind="PREPARED").count() == 1


def test_another_device_replaces_the_convention_and_frees_the_first(counter):
    loan = accepted_loan(counter.school)
    first, second = lendable_asset(counter.school), lendable_asset(counter.school)
    before = prepare(counter, loan, first.asset_tag)

    after = prepare(counter, before, second.asset_tag)

    assert after.asset_id == second.pk and after.agreement_id != before.agreement_id
    other = prepare(counter, accepted_loan(counter.school), first.asset_tag)  # free again
    assert other.asset_id == first.pk


def test_a_device_reserved_by_a_loan_is_refused_to_another_loan(counter):
    asset = lendable_asset(counter.school)
    holder = prepare(counter, accepted_loan(counter.school), asset.asset_tag)
    other = accepted_loan(counter.school)

    with pytest.raises(ValidationError) as caught:
        prepare(counter, other, asset.asset_tag)

    assert caught.value.message_dict["asset_tag"] == [reserved(asset.asset_tag, holder)]
    other.refresh_from_db()
    assert other.asset_id is None and other.agreement_id is None
    with pytest.raises(ValidationError) as api:
        lifecycle.hand_out(
            actor=counter.head,
            loan=other,
            asset_tag=asset.asset_tag,
            signature_data=signed(),
            prepare=True,
        )
    assert api.value.message_dict["asset_tag"] == [reserved(asset.asset_tag, holder)]


def test_a_declined_reservation_frees_the_device(counter):
    asset = lendable_asset(counter.school)
    holder = prepare(counter, accepted_loan(counter.school), asset.asset_tag)
    lifecycle.decline_offer(actor=counter.head, loan=holder, reason="Déménagement")

    assert prepare(counter, accepted_loan(counter.school), asset.asset_tag).asset_id == asset.pk


def test_a_reservation_released_frees_the_device_and_keeps_the_loan_accepted(counter, client):
    asset = lendable_asset(counter.school)
    holder = prepare(counter, accepted_loan(counter.school), asset.asset_tag)
    page = reverse("loans:loan", args=[holder.pk])
    client.force_login(counter.head)
    assert f"Libérer le matériel réservé ({asset.asset_tag})" in client.get(page).content.decode()

    response = client.post(reverse("loans:loan_release", args=[holder.pk]))

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.status == LoanStatus.ACCEPTED and holder.asset_id is None
    assert holder.events.filter(kind=LoanEventKind.RELEASED, note__contains=asset.asset_tag)
    # The device goes to another family; releasing twice says there is nothing to release.
    assert prepare(counter, accepted_loan(counter.school), asset.asset_tag).asset_id == asset.pk
    with pytest.raises(ValidationError, match="Aucun matériel n'est réservé"):
        lifecycle.release_device(actor=counter.head, loan=holder)


def test_only_who_hands_out_at_the_school_releases_a_reservation(counter, client):
    asset = lendable_asset(counter.school)
    holder = prepare(counter, accepted_loan(counter.school), asset.asset_tag)
    # Head at Soissons and parent at this school: the parent grant lends no hand-out here.
    client.force_login(counter.two_roles)
    response = client.post(reverse("loans:loan_release", args=[holder.pk]))
    assert response.status_code in (403, 404)
    holder.refresh_from_db()
    assert holder.asset_id == asset.pk


def test_a_lent_device_is_said_lent_with_its_loan(counter):
    lent = active_loan(counter)

    with pytest.raises(ValidationError) as caught:
        prepare(counter, accepted_loan(counter.school), lent.asset.asset_tag)

    assert caught.value.message_dict["asset_tag"] == [
        f"Ce matériel ({lent.asset.asset_tag}) est déjà prêté (prêt n°\u00a0{lent.pk})."
    ]


def test_the_database_refuses_two_open_loans_naming_a_device(counter):
    asset = lendable_asset(counter.school)
    holder = prepare(counter, accepted_loan(counter.school), asset.asset_tag)

    for status in (LoanStatus.OFFERED, LoanStatus.ACCEPTED, LoanStatus.ACTIVE):
        other = accepted_loan(counter.school)
        with pytest.raises(IntegrityError), transaction.atomic():
            Loan.objects.filter(pk=other.pk).update(asset=asset, status=status)

    # Closed or declined loans of the device are its history, as many as there were.
    for status in (LoanStatus.CLOSED, LoanStatus.DECLINED):
        Loan.objects.filter(pk=accepted_loan(counter.school).pk).update(asset=asset, status=status)
    assert Loan.objects.filter(asset=asset).count() == 3
    assert Loan.objects.filter(asset=asset).open().get().pk == holder.pk


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
)
@pytest.mark.django_db(transaction=True)
def test_two_loans_scanning_the_same_device_at_once_reserve_it_once(tree):
    counter = Counter(tree)
    asset = lendable_asset(counter.school)
    loans = [accepted_loan(counter.school) for _ in range(2)]

    outcomes = race(*(lambda loan=loan: prepare(counter, loan, asset.asset_tag) for loan in loans))

    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    won = [o for o in outcomes if isinstance(o, Loan)]
    assert len(errors) == 1 and len(won) == 1, outcomes
    assert errors[0].message_dict["asset_tag"] == [reserved(asset.asset_tag, won[0])]
    assert Loan.objects.filter(asset=asset).values_list("pk", flat=True).get() == won[0].pk
    lost = Loan.objects.exclude(pk=won[0].pk).get(pk__in=[loan.pk for loan in loans])
    assert lost.status == LoanStatus.ACCEPTED and lost.agreement_id is None
