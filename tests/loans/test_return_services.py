"""Taking a device back (``record_return``) against a receipt the guardian signs, and the loans
that end otherwise (``declare_loss``: lost, stolen, returned unusable): the device's state in the
register, its incident, the loan closed with its outcome."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tne.core.documents import verify
from tne.equipment.enums import AssetEventKind, AssetState, IncidentKind, IncidentStatus
from tne.equipment.models import Asset, AssetEvent, Incident
from tne.equipment.services import assets as asset_services
from tne.loans.enums import LoanOutcome, LoanStatus, ReturnCondition
from tne.loans.models import Loan, LoanEventKind
from tne.loans.services import lifecycle

from .lifecycle_factories import Counter, active_loan, pdf_text, signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def test_a_return_in_good_condition_puts_the_device_back_in_the_schools_stock(counter):
    loan = active_loan(counter, tag="TNE-RETOUR-1")

    done = lifecycle.record_return(
        actor=counter.technician,
        loan=loan,
        condition=ReturnCondition.GOOD,
        note="Avec son chargeur",
        signature_data=signed("Camille Martin"),
    )

    assert done.status == LoanStatus.CLOSED and done.outcome == LoanOutcome.RETURNED
    assert done.return_condition == ReturnCondition.GOOD and done.return_note == "Avec son chargeur"
    assert done.returned_at is not None and done.closed_at == done.returned_at
    asset = Asset.objects.get(pk=loan.asset_id)
    assert asset.state == AssetState.IN_STOCK and asset.school_id == counter.school.pk
    assert AssetEvent.objects.filter(asset=asset).last().kind == AssetEventKind.RETURNED
    signature = done.return_signature
    assert signature.document_id == done.return_receipt_id and verify(done.return_receipt)
    assert signature.consent == lifecycle.RETURN_CONSENT
    text = pdf_text(done.return_receipt)
    assert f"Reçu de retour du prêt n° {loan.pk}" in text and "TNE-RETOUR-1" in text
    assert "Bon état" in text and "Avec son chargeur" in text and "Camille Martin" not in text
    assert f"code {loan.pupil.code}" in text
    kinds = list(done.events.values_list("kind", flat=True))
    assert kinds == [LoanEventKind.PREPARED, LoanEventKind.HANDED_OUT, LoanEventKind.RETURNED]


@pytest.mark.parametrize("condition", [ReturnCondition.DAMAGED, ReturnCondition.INCOMPLETE])
def test_a_damaged_or_incomplete_device_goes_to_repair_through_an_incident(counter, condition):
    loan = active_loan(counter)

    lifecycle.record_return(
        actor=counter.head,
        loan=loan,
        condition=condition,
        note="Écran fêlé",
        signature_data=signed(),
    )

    asset = Asset.objects.get(pk=loan.asset_id)
    assert asset.state == AssetState.IN_REPAIR
    incident = Incident.objects.get(asset=asset)
    assert incident.kind == IncidentKind.DAMAGE and incident.status == IncidentStatus.IN_REPAIR
    assert (
        f"prêt n°\u00a0{loan.pk}" in incident.description and "Écran fêlé" in incident.description
    )
    # Repaired, it comes back in the school's stock, ready for the next pupil (not « prêté »).
    asset_services.mark_repaired(actor=counter.technician, asset=asset)
    asset.refresh_from_db()
    assert asset.state == AssetState.IN_STOCK


def test_a_return_needs_a_known_condition_and_the_guardians_signature(counter):
    loan = active_loan(counter)
    with pytest.raises(ValidationError) as caught:
        lifecycle.record_return(
            actor=counter.head, loan=loan, condition="BROKEN", signature_data=signed()
        )
    assert "condition" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        lifecycle.record_return(
            actor=counter.head,
            loan=loan,
            condition=ReturnCondition.GOOD,
            signature_data=lifecycle.SignatureData(typed_name="Camille Martin", consent=False),
        )
    assert "consent" in caught.value.message_dict
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE


def test_a_closed_loan_is_not_returned_twice(counter):
    loan = active_loan(counter)
    lifecycle.record_return(
        actor=counter.head, loan=loan, condition=ReturnCondition.WORN, signature_data=signed()
    )
    with pytest.raises(ValidationError) as caught:
        lifecycle.record_return(
            actor=counter.head, loan=loan, condition=ReturnCondition.GOOD, signature_data=signed()
        )
    assert "Seul un prêt en cours se rend" in " ".join(caught.value.messages)


@pytest.mark.parametrize("who", ["ien", "two_roles", "outsider"])
def test_only_who_takes_devices_back_at_the_school_may(counter, who):
    loan = active_loan(counter)
    with pytest.raises(PermissionDenied):
        lifecycle.record_return(
            actor=getattr(counter, who),
            loan=loan,
            condition=ReturnCondition.GOOD,
            signature_data=signed(),
        )
    with pytest.raises(PermissionDenied):
        lifecycle.declare_loss(
            actor=getattr(counter, who), loan=loan, kind=LoanOutcome.LOST, note="Perdu"
        )


@pytest.mark.parametrize(
    ("kind", "state", "incident_kind"),
    [
        (LoanOutcome.LOST, AssetState.LOST, IncidentKind.LOSS),
        (LoanOutcome.STOLEN, AssetState.STOLEN, IncidentKind.THEFT),
        (LoanOutcome.DAMAGED, AssetState.IN_REPAIR, IncidentKind.DAMAGE),
    ],
)
def test_a_loss_a_theft_or_a_device_returned_unusable_closes_the_loan(
    counter, kind, state, incident_kind
):
    loan = active_loan(counter)

    done = lifecycle.declare_loss(
        actor=counter.head, loan=loan, kind=kind, note="Signalé par la famille le 3 mars"
    )

    assert done.status == LoanStatus.CLOSED and done.outcome == kind
    assert done.return_note == "Signalé par la famille le 3 mars" and done.closed_at
    assert (done.returned_at is not None) == (kind == LoanOutcome.DAMAGED)
    asset = Asset.objects.get(pk=loan.asset_id)
    assert asset.state == state
    incident = Incident.objects.get(asset=asset)
    assert incident.kind == incident_kind and "Signalé par la famille" in incident.description
    assert (
        done.events.last().kind
        == {
            LoanOutcome.LOST: LoanEventKind.LOST,
            LoanOutcome.STOLEN: LoanEventKind.STOLEN,
            LoanOutcome.DAMAGED: LoanEventKind.DAMAGED,
        }[kind]
    )


def test_a_loss_needs_a_description_and_a_known_kind(counter):
    loan = active_loan(counter)
    with pytest.raises(ValidationError) as caught:
        lifecycle.declare_loss(actor=counter.head, loan=loan, kind=LoanOutcome.LOST, note=" ")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        lifecycle.declare_loss(
            actor=counter.head, loan=loan, kind=LoanOutcome.RETURNED, note="Rendu"
        )
    assert "kind" in caught.value.message_dict
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE


def test_a_returned_device_may_be_lent_again_to_the_next_pupil(counter):
    from .lifecycle_factories import accepted_loan

    loan = active_loan(counter)
    lifecycle.record_return(
        actor=counter.head, loan=loan, condition=ReturnCondition.GOOD, signature_data=signed()
    )
    tag = Asset.objects.get(pk=loan.asset_id).asset_tag
    following = accepted_loan(counter.school)

    again = lifecycle.hand_out(
        actor=counter.head,
        loan=following,
        asset_tag=tag,
        signature_data=signed("Luc Petit"),
        prepare=True,
    )

    assert again.status == LoanStatus.ACTIVE and again.asset_id == loan.asset_id
