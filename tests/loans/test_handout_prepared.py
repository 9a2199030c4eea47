"""The hand-out in two steps: the scan prepares the « convention de prêt » (rendered once, no
signer name, the device and date kept on the accepted loan), the confirmation signs that very
document (its SHA-256) and renders nothing; another device or date is refused and the
convention shown again; a second confirmation is refused; the guardian's name is sealed, and the
purge of the contacts forgets it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tne.core.crypto import unseal
from tne.core.models import Document, Signature
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan, LoanEventKind
from tne.loans.services import lifecycle
from tne.loans.services.contacts import purge_contacts

from .factories import GuardianContactFactory
from .lifecycle_factories import (
    Counter,
    accepted_loan,
    active_loan,
    lendable_asset,
    pdf_text,
    prepare,
    signed,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "counter-zone", "HX-Current-URL": "http://testserver/"}
IN_60 = datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def sign_now(counter, loan, tag, **extra):
    return lifecycle.hand_out(
        actor=counter.head, loan=loan, asset_tag=tag, signature_data=signed(), **extra
    )


def test_the_guardian_signs_the_document_shown_without_any_rendering(counter, monkeypatch):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-MONTRE-1")
    due = timezone.localdate() + IN_60

    prepared = prepare(counter, loan, "TNE-MONTRE-1", due_on=due)
    shown = prepared.agreement
    assert prepared.status == LoanStatus.ACCEPTED and prepared.asset_id == asset.pk
    assert prepared.due_on == due and prepared.agreement_signature_id is None
    text = pdf_text(shown)
    assert "TNE-MONTRE-1" in text and f"code {loan.pupil.code}" in text
    assert "Signe cette convention à la remise" in text and "Camille" not in text

    monkeypatch.setattr(lifecycle, "render_pdf", pytest.fail)
    documents = Document.objects.count()
    done = sign_now(counter, prepared, "tne-montre-1")

    assert Document.objects.count() == documents
    assert done.status == LoanStatus.ACTIVE and done.agreement_id == shown.pk
    signature = done.agreement_signature
    assert signature.document_id == shown.pk and signature.document_sha256 == shown.sha256
    assert signature.typed_name == "" and unseal(signature.sealed_name) == "Camille Martin"
    assert Asset.objects.get(pk=asset.pk).state == AssetState.LENT


def test_a_changed_device_or_date_is_refused_and_nothing_changes(counter):
    loan = prepare(counter, accepted_loan(counter.school), lendable_asset(counter.school).asset_tag)
    other = lendable_asset(counter.school, asset_tag="TNE-AUTRE-3")

    for changes in (
        {"asset_tag": other.asset_tag},
        {"asset_tag": loan.asset.asset_tag, "due_on": loan.due_on + datetime.timedelta(days=1)},
    ):
        with pytest.raises(lifecycle.NotShown) as caught:
            lifecycle.hand_out(actor=counter.head, loan=loan, signature_data=signed(), **changes)
        assert "montrez-lui de nouveau la convention" in " ".join(caught.value.messages)

    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACCEPTED
    assert not Signature.objects.exists()
    assert Asset.objects.get(pk=other.pk).state == AssetState.IN_STOCK


def test_a_loan_never_prepared_is_not_signed(counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    with pytest.raises(lifecycle.NotShown) as caught:
        sign_now(counter, loan, asset.asset_tag)
    assert "n'a pas été préparée" in " ".join(caught.value.messages)


def test_a_rescan_of_another_device_prepares_again_and_says_so(counter):
    loan = accepted_loan(counter.school)
    first = lendable_asset(counter.school, asset_tag="TNE-PREMIER")
    second = lendable_asset(counter.school, asset_tag="TNE-SECOND")
    prepared = prepare(counter, loan, first.asset_tag)
    old = prepared.agreement_id
    assert prepare(counter, loan, first.asset_tag).agreement_id == old  # same device: kept

    again = prepare(counter, loan, second.asset_tag)

    assert again.agreement_id != old and again.asset_id == second.pk
    done = sign_now(counter, again, second.asset_tag)
    assert done.agreement_signature.document_id == again.agreement_id
    assert not Signature.objects.filter(document_id=old).exists()
    notes = list(done.events.filter(kind=LoanEventKind.PREPARED).values_list("note", flat=True))
    assert (
        len(notes) == 2
        and "remplace la convention non signée du matériel TNE-PREMIER" in (notes[1])
    )


def test_a_second_confirmation_is_refused_and_signs_nothing_more(counter):
    loan = prepare(counter, accepted_loan(counter.school), lendable_asset(counter.school).asset_tag)
    tag = loan.asset.asset_tag
    sign_now(counter, loan, tag)

    with pytest.raises(ValidationError) as caught:
        sign_now(counter, loan, tag)

    assert f"Le prêt n°\u00a0{loan.pk} est déjà en cours" in " ".join(caught.value.messages)
    assert Signature.objects.count() == 1


def test_the_api_path_prepares_inside_when_nothing_was_shown(counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)

    done = sign_now(counter, loan, asset.asset_tag, prepare=True)

    assert done.status == LoanStatus.ACTIVE and done.agreement_signature.document_id == (
        done.agreement_id
    )


def test_a_declined_offer_frees_the_device_its_convention_reserved(counter):
    loan = prepare(counter, accepted_loan(counter.school), lendable_asset(counter.school).asset_tag)
    declined = lifecycle.decline_offer(actor=counter.head, loan=loan, reason="Déménagement")
    assert declined.status == LoanStatus.DECLINED and declined.asset_id is None


# --- The counter's pages -----------------------------------------------------------------------


def form(loan, tag, due_on, **extra):
    return {
        "loan": loan.pk,
        "asset_tag": tag,
        "due_on": due_on.isoformat(),
        "typed_name": "Camille Martin",
        "consent": "on",
        "drawing": "",
        **extra,
    }


def test_at_the_counter_the_scan_prepares_and_a_changed_date_shows_it_again(client, counter):
    offer = accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-GUICHET-9")
    client.force_login(counter.head)
    page = reverse("loans:hand_out", args=[counter.school.pk])

    confirm = client.post(
        page, {"action": "scan", "pret": offer.pk, "code": "TNE-GUICHET-9"}, headers=HTMX
    )
    shown = Loan.objects.get(pk=offer.pk)
    assert shown.agreement_id and reverse("loans:agreement", args=[offer.pk]) in (
        confirm.content.decode()
    )
    later = shown.due_on + datetime.timedelta(days=7) if shown.due_on else None
    later = min(later, timezone.localdate() + datetime.timedelta(days=700))

    again = client.post(page, form(offer, "TNE-GUICHET-9", later), headers=HTMX).content.decode()

    assert 'id="counter-shown-again"' in again and 'id="hand-out-form"' in again
    reshown = Loan.objects.get(pk=offer.pk)
    assert reshown.status == LoanStatus.ACCEPTED and reshown.due_on == later
    assert reshown.agreement_id != shown.agreement_id

    done = client.post(page, form(offer, "TNE-GUICHET-9", later), headers=HTMX).content.decode()
    assert 'id="counter-done"' in done
    loan = Loan.objects.get(pk=offer.pk)
    assert loan.status == LoanStatus.ACTIVE
    assert loan.agreement_signature.document_id == reshown.agreement_id

    twice = client.post(page, form(offer, "TNE-GUICHET-9", later), headers=HTMX).content.decode()
    assert "est déjà en cours" in twice and Signature.objects.count() == 1


def test_the_confirming_post_makes_a_fixed_number_of_queries(
    client, counter, django_assert_max_num_queries, monkeypatch
):
    client.force_login(counter.head)
    page = reverse("loans:hand_out", args=[counter.school.pk])
    loan = prepare(counter, accepted_loan(counter.school), lendable_asset(counter.school).asset_tag)
    client.get(page)  # the session and the user in the cache of the test client
    monkeypatch.setattr(lifecycle, "render_pdf", pytest.fail)

    # 23 for the step itself, and the school's tally of the dashboards recounted (its places,
    # its row locked on PostgreSQL; its loans and needs counted; one upsert).
    with django_assert_max_num_queries(27):
        response = client.post(page, form(loan, loan.asset.asset_tag, loan.due_on), headers=HTMX)

    assert 'id="counter-done"' in response.content.decode()


# --- No guardian's name in clear ---------------------------------------------------------------


def test_no_guardian_name_is_in_clear_in_the_signatures(counter):
    loan = active_loan(counter)
    lifecycle.record_return(
        actor=counter.head,
        loan=loan,
        condition="GOOD",
        signature_data=signed("Camille Martin-Sceau"),
    )
    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        dump = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "Camille" not in dump and "Sceau" not in dump
    assert "Camille" not in pdf_text(Loan.objects.get(pk=loan.pk).return_receipt)


def test_the_purge_of_the_contacts_forgets_the_sealed_names_of_those_pupils(counter):
    long_ago = timezone.now() - datetime.timedelta(days=800)
    purged = active_loan(counter)
    lifecycle.record_return(
        actor=counter.head, loan=purged, condition="GOOD", signature_data=signed()
    )
    Loan.objects.filter(pk=purged.pk).update(closed_at=long_ago, updated_at=long_ago)
    GuardianContactFactory(pupil=purged.pupil)
    kept = active_loan(counter)
    GuardianContactFactory(pupil=kept.pupil)

    result = purge_contacts(retention_days=365)

    assert result.after_loans == 1 and result.names_forgotten == 2
    purged.refresh_from_db()
    assert purged.agreement_signature.sealed_name == ""
    assert purged.return_signature.sealed_name == ""
    assert purged.agreement_signature.document_sha256 == purged.agreement.sha256
    kept.refresh_from_db()
    assert unseal(kept.agreement_signature.sealed_name) == "Camille Martin"


def test_a_rescan_of_the_device_shown_keeps_its_convention_and_its_date(client, counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    due = timezone.localdate() + datetime.timedelta(days=45)
    prepared = prepare(counter, loan, asset.asset_tag, due_on=due)
    client.force_login(counter.head)

    html = client.post(
        reverse("loans:hand_out", args=[counter.school.pk]),
        {"action": "scan", "pret": loan.pk, "code": asset.asset_tag},
        headers=HTMX,
    ).content.decode()

    again = Loan.objects.get(pk=loan.pk)
    assert again.agreement_id == prepared.agreement_id and again.due_on == due
    assert f'value="{due.isoformat()}"' in html
