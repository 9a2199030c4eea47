"""Handing a device out in its two steps (``services.lifecycle.prepare_agreement`` at the scan,
then ``hand_out``): the device checked (kind, stock, place), moved from a stock above the school,
lent; the « convention de prêt » rendered at the scan and signed by the guardian; the loan active
until its due date; each refusal in French."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.equipment.factories import AssetFactory, DeviceModelFactory, category
from tests.factories import SchoolYearFactory
from tne.core.audit import history_of
from tne.core.crypto import unseal
from tne.core.documents import verify
from tne.equipment.enums import AssetEventKind, AssetState
from tne.equipment.models import Asset, AssetEvent
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan, LoanEventKind
from tne.loans.services import lifecycle

from .lifecycle_factories import Counter, accepted_loan, lendable_asset, pdf_text, signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def two_steps(*, actor, loan, asset_tag, signature_data, due_on=None):
    """The scan (the convention prepared and shown), then the confirmation (signed)."""
    prepared = lifecycle.prepare_agreement(
        actor=actor, loan=loan, asset_tag=asset_tag, due_on=due_on
    )
    return lifecycle.hand_out(
        actor=actor, loan=prepared, asset_tag=asset_tag, signature_data=signature_data
    )


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_it_lends_the_device_against_the_signed_convention(counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-PRET-1", serial_number="SN-TAB-1")
    due = timezone.localdate() + datetime.timedelta(days=90)

    done = two_steps(
        actor=counter.head,
        loan=loan,
        asset_tag="tne-pret-1",
        due_on=due,
        signature_data=signed("Camille  Martin"),
    )

    assert done.status == LoanStatus.ACTIVE and done.asset_id == asset.pk and done.due_on == due
    assert done.handed_out_at is not None
    asset.refresh_from_db()
    assert asset.state == AssetState.LENT and asset.holder_id is None
    assert asset.school_id == counter.school.pk
    event = AssetEvent.objects.get(asset=asset)
    assert event.kind == AssetEventKind.HANDED_OVER and f"prêt n°\u00a0{loan.pk}" in event.note
    signature = done.agreement_signature
    assert signature.document_id == done.agreement_id
    assert signature.document_sha256 == done.agreement.sha256 and verify(done.agreement)
    assert signature.typed_name == "" and signature.signer_id is None
    assert unseal(signature.sealed_name) == "Camille Martin"
    assert signature.capacity == "Responsable légal de l'élève"
    assert signature.consent == lifecycle.AGREEMENT_CONSENT
    assert list(done.events.values_list("kind", flat=True)) == [
        LoanEventKind.PREPARED,
        LoanEventKind.HANDED_OUT,
    ]
    assert ["ACCEPTED", "ACTIVE"] in [event.changes.get("status") for event in history_of(done)]


def test_the_convention_names_the_device_the_due_date_the_school_and_the_pupils_code_only(
    counter,
):
    loan = accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-PRET-2", serial_number="SN-TAB-2")
    due = datetime.date(timezone.localdate().year + 1, 7, 4)

    done = two_steps(
        actor=counter.head,
        loan=loan,
        asset_tag="TNE-PRET-2",
        due_on=due,
        signature_data=signed("Camille Martin"),
    )

    text = pdf_text(done.agreement)
    assert f"Convention de prêt n° {loan.pk}" in text
    for expected in ("TNE-PRET-2", "SN-TAB-2", done.asset.model.name, "École Jean-Macé"):
        assert expected in text
    assert f"code {loan.pupil.code}" in text
    assert f"4 juillet {due.year}" in text
    assert "je préviens l'école" in text and "Camille Martin" not in text
    assert "Responsable légal de l'élève" in text


def test_the_due_date_is_by_default_the_end_of_the_current_school_year(counter):
    year = SchoolYearFactory()
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)

    done = two_steps(
        actor=counter.head, loan=loan, asset_tag=asset.asset_tag, signature_data=signed()
    )

    assert done.due_on == year.ends_on


def test_without_a_school_year_the_default_is_the_31_august_that_ends_it():
    assert lifecycle.default_due_on(datetime.date(2026, 12, 3)) == datetime.date(2027, 8, 31)
    assert lifecycle.default_due_on(datetime.date(2027, 8, 31)) == datetime.date(2028, 8, 31)


def test_a_device_in_the_stock_of_the_departement_is_moved_to_the_school(counter):
    loan = accepted_loan(counter.school)
    asset = AssetFactory(
        model=DeviceModelFactory(category=category("tablet")),
        stock_node=counter.tree.aisne,
        state=AssetState.IN_STOCK,
    )

    two_steps(
        actor=counter.technician, loan=loan, asset_tag=asset.asset_tag, signature_data=signed()
    )

    asset.refresh_from_db()
    assert asset.school_id == counter.school.pk and asset.stock_node_id is None
    assert asset.state == AssetState.LENT
    kinds = list(AssetEvent.objects.filter(asset=asset).values_list("kind", flat=True))
    assert kinds == [AssetEventKind.MOVED, AssetEventKind.HANDED_OVER]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda c: lendable_asset(c.school, code="laptop"),
            "est du type «\u00a0Ordinateur portable",
        ),
        (
            lambda c: AssetFactory(
                model=DeviceModelFactory(category=category("tablet")),
                school=c.school,
                state=AssetState.IN_REPAIR,
            ),
            "n'est pas en stock (état «\u00a0En réparation\u00a0»)",
        ),
        (lambda c: lendable_asset(c.soissons_school), "est en stock dans une autre école"),
        (
            lambda c: AssetFactory(
                model=DeviceModelFactory(category=category("tablet")),
                stock_node=c.tree.vdo,
                state=AssetState.IN_STOCK,
            ),
            "est dans le stock d'un autre territoire",
        ),
    ],
    ids=["other-kind", "in-repair", "other-school", "other-stock"],
)
def test_a_device_that_cannot_be_lent_here_is_refused_with_its_reason(counter, make, message):
    loan = accepted_loan(counter.school)
    asset = make(counter)

    with pytest.raises(ValidationError) as caught:
        two_steps(actor=counter.head, loan=loan, asset_tag=asset.asset_tag, signature_data=signed())

    assert message in error_text(caught.value)
    assert "asset_tag" in caught.value.message_dict
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACCEPTED
    assert Asset.objects.get(pk=asset.pk).state == asset.state


def test_an_unknown_tag_and_an_empty_one_are_said(counter):
    loan = accepted_loan(counter.school)
    for tag, message in (
        ("NOPE-1", "Aucun matériel n'a le numéro"),
        ("  ", "Scannez ou saisissez"),
    ):
        with pytest.raises(ValidationError) as caught:
            two_steps(actor=counter.head, loan=loan, asset_tag=tag, signature_data=signed())
        assert message in error_text(caught.value)


def test_a_device_already_lent_names_its_loan(counter):
    first = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    two_steps(actor=counter.head, loan=first, asset_tag=asset.asset_tag, signature_data=signed())
    second = accepted_loan(counter.school)

    with pytest.raises(ValidationError) as caught:
        two_steps(
            actor=counter.head, loan=second, asset_tag=asset.asset_tag, signature_data=signed()
        )

    assert f"Ce matériel ({asset.asset_tag}) est déjà prêté (prêt n°\u00a0{first.pk})." in (
        error_text(caught.value)
    )


def test_the_serial_number_finds_the_device_too(counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, serial_number="PF3ABC")

    done = two_steps(actor=counter.head, loan=loan, asset_tag="pf3abc", signature_data=signed())

    assert done.asset_id == asset.pk


def test_only_an_accepted_offer_is_handed_out(counter):
    offer = accepted_loan(counter.school, status=LoanStatus.OFFERED, accepted_at=None)
    asset = lendable_asset(counter.school)
    with pytest.raises(ValidationError) as caught:
        two_steps(
            actor=counter.head, loan=offer, asset_tag=asset.asset_tag, signature_data=signed()
        )
    assert "n'a pas encore accepté" in error_text(caught.value)

    offer.status = LoanStatus.ACCEPTED
    offer.save()
    done = two_steps(
        actor=counter.head, loan=offer, asset_tag=asset.asset_tag, signature_data=signed()
    )
    with pytest.raises(ValidationError) as again:
        two_steps(
            actor=counter.head,
            loan=done,
            asset_tag=lendable_asset(counter.school).asset_tag,
            signature_data=signed(),
        )
    assert f"Le prêt n°\u00a0{done.pk} est déjà en cours (matériel {asset.asset_tag}" in (
        error_text(again.value)
    )


@pytest.mark.parametrize(
    ("signature", "field"),
    [
        (lifecycle.SignatureData(typed_name=" ", consent=True), "typed_name"),
        (lifecycle.SignatureData(typed_name="Camille Martin", consent=False), "consent"),
        (lifecycle.SignatureData(typed_name="Camille\x07Martin", consent=True), "typed_name"),
    ],
    ids=["no-name", "no-consent", "control-character"],
)
def test_the_guardian_must_type_their_name_and_consent(counter, signature, field):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    with pytest.raises(ValidationError) as caught:
        two_steps(
            actor=counter.head, loan=loan, asset_tag=asset.asset_tag, signature_data=signature
        )
    assert field in caught.value.message_dict


@pytest.mark.parametrize("days", [0, -3, 800])
def test_a_due_date_today_in_the_past_or_years_away_is_refused(counter, days):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    with pytest.raises(ValidationError) as caught:
        two_steps(
            actor=counter.head,
            loan=loan,
            asset_tag=asset.asset_tag,
            due_on=timezone.localdate() + datetime.timedelta(days=days),
            signature_data=signed(),
        )
    assert "due_on" in caught.value.message_dict


def test_a_drawn_signature_is_kept(counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    done = two_steps(
        actor=counter.head,
        loan=loan,
        asset_tag=asset.asset_tag,
        signature_data=signed(drawing=[[[10, 10], [50, 40]]]),
    )
    assert done.agreement_signature.method == "DRAWN"
    assert done.agreement_signature.drawing == [[[10.0, 10.0], [50.0, 40.0]]]


@pytest.mark.parametrize("who", ["ien", "two_roles", "outsider", "coordinator"])
def test_only_who_hands_out_at_the_school_may(counter, who):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    with pytest.raises(PermissionDenied):
        two_steps(
            actor=getattr(counter, who),
            loan=loan,
            asset_tag=asset.asset_tag,
            signature_data=signed(),
        )
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACCEPTED
