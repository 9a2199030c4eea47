"""The services of sign-offs: the school head accepts or refuses an installation, the local
authority owning the building co-signs it (one or a selection), each role only where granted."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tne.core.audit import history_of
from tne.core.documents import verify
from tne.core.models import Signature
from tne.equipment.enums import (
    AllocationStatus,
    AssetEventKind,
    AssetState,
    SignoffDecision,
    SignoffParty,
)
from tne.equipment.models import AssetEvent, SchoolTally, Signoff
from tne.equipment.services import signoffs

from .signoff_factories import PHOTO_PNG, Place, installed


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(tree):
    return Place(tree)


def pdf_text(document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    return subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def accept(place, allocation, user=None, **kwargs):
    return signoffs.decide_installation(
        allocation_id=allocation.pk,
        actor=user or place.head,
        accept=True,
        typed_name=kwargs.pop("typed_name", "Anne Martin"),
        **kwargs,
    )


def test_it_accepts_an_installation_and_puts_it_in_service(place):
    allocation = installed(place.school, devices=3)
    signoff = accept(place, allocation, remarks="Tout fonctionne.")
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.IN_SERVICE
    assert allocation.in_service_on is not None and allocation.school_signed_at is not None
    assert allocation.authority_signed_at is None
    assert (signoff.party, signoff.decision) == (SignoffParty.SCHOOL, SignoffDecision.ACCEPTED)
    assert signoff.remarks == "Tout fonctionne."
    # The report is a stored PDF, its hash is in the signature.
    assert verify(signoff.report)
    assert signoff.signature.document == signoff.report
    assert signoff.signature.document_sha256 == signoff.report.sha256
    assert signoff.signature.signer == place.head
    assert signoff.signature.capacity == "Direction de l'école"
    # Its devices are installed, with their history.
    states = set(allocation.assets.values_list("state", flat=True))
    assert states == {AssetState.INSTALLED}
    events = AssetEvent.objects.filter(asset__allocation=allocation, kind=AssetEventKind.STATE)
    assert events.count() == 3
    assert set(events.values_list("from_state", "to_state")) == {
        (AssetState.ALLOCATED, AssetState.INSTALLED)
    }
    # The tallies follow, and the trail says it.
    tally = SchoolTally.objects.get(school=place.school, measure=allocation.measure)
    assert (tally.status, tally.count) == (AllocationStatus.IN_SERVICE, 1)
    assert history_of(allocation).filter(actor=place.head).exists()


def test_the_report_names_the_school_the_class_the_kit_and_each_device(place):
    allocation = installed(place.school, devices=2)
    signoff = accept(place, allocation)
    text = pdf_text(signoff.report)
    assert "École Jean-Macé" in text and place.school.uai in text
    assert allocation.school_class.name in text
    assert "hybride" in text
    for asset in allocation.assets.all():
        assert asset.serial_number in text and asset.asset_tag in text
        assert asset.model.name in text
    assert "Installation validée" in text
    assert "Anne Martin" in text
    assert "20 octobre 2026" in text


def test_it_refuses_with_its_reason_and_sends_it_back(place):
    allocation = installed(place.school)
    signoff = signoffs.decide_installation(
        allocation_id=allocation.pk,
        actor=place.head,
        accept=False,
        typed_name="Anne Martin",
        remarks="Le vidéoprojecteur n'est pas fixé.",
    )
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.DELIVERED
    assert allocation.school_signed_at is None
    assert signoff.decision == SignoffDecision.REFUSED
    assert "n'est pas fixé" in pdf_text(signoff.report)
    assert set(allocation.assets.values_list("state", flat=True)) == {AssetState.ALLOCATED}


def test_a_refusal_needs_its_reason(place):
    allocation = installed(place.school)
    with pytest.raises(ValidationError) as error:
        signoffs.decide_installation(
            allocation_id=allocation.pk,
            actor=place.head,
            accept=False,
            typed_name="Anne M",
            remarks="  ",
        )
    assert "remarks" in error.value.message_dict
    assert not Signoff.objects.exists() and not Signature.objects.exists()


def test_the_typed_name_is_required(place):
    allocation = installed(place.school)
    with pytest.raises(ValidationError):
        accept(place, allocation, typed_name=" ")
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.INSTALLED
    assert not Signoff.objects.exists()


def test_it_keeps_a_photo_checked_by_its_content(place):
    allocation = installed(place.school)
    photo = SimpleUploadedFile("photo.txt", PHOTO_PNG, content_type="text/plain")
    signoff = accept(place, allocation, photo=photo)
    assert signoff.photo.name.endswith(".png")
    with signoff.photo.open("rb") as handle:
        assert handle.read() == PHOTO_PNG


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"%PDF-1.7", PHOTO_PNG[:30]],
)
def test_a_photo_that_is_not_an_image_is_refused(place, content):
    allocation = installed(place.school)
    photo = SimpleUploadedFile("photo.png", content, content_type="image/png")
    with pytest.raises(ValidationError) as error:
        accept(place, allocation, photo=photo)
    assert "photo" in error.value.message_dict
    assert not Signoff.objects.exists()


def test_a_photo_too_large_is_refused(place, monkeypatch):
    monkeypatch.setattr(signoffs, "MAX_PHOTO_BYTES", 10)
    allocation = installed(place.school)
    with pytest.raises(ValidationError, match="5 Mo"):
        accept(place, allocation, photo=SimpleUploadedFile("p.png", PHOTO_PNG))


def test_an_installation_not_installed_is_not_to_sign(place):
    allocation = installed(place.school, status=AllocationStatus.DELIVERED)
    with pytest.raises(ValidationError, match="n'est pas à valider"):
        accept(place, allocation)


def test_a_second_decision_is_refused(place):
    allocation = installed(place.school)
    accept(place, allocation)
    with pytest.raises(ValidationError, match="n'est pas à valider"):
        accept(place, allocation)
    assert Signoff.objects.count() == 1


def test_the_head_of_another_school_may_not_decide(place):
    allocation = installed(place.school)
    for user in (place.other_head, place.laon_officer, place.coordinator):
        with pytest.raises(PermissionDenied):
            accept(place, allocation, user=user)


def test_the_commune_co_signs_an_accepted_installation(place):
    allocation = installed(place.school)
    school_signoff = accept(place, allocation)
    signoff = signoffs.cosign_installation(
        allocation_id=allocation.pk,
        actor=place.laon_officer,
        typed_name="Luc Bernard",
        remarks="Conforme.",
    )
    allocation.refresh_from_db()
    assert allocation.authority_signed_at is not None
    assert (signoff.party, signoff.decision) == (SignoffParty.AUTHORITY, SignoffDecision.ACCEPTED)
    assert signoff.signature.document_sha256 == signoff.report.sha256
    assert signoff.signature.capacity == "Collectivité propriétaire du bâtiment"
    text = pdf_text(signoff.report)
    assert school_signoff.report.sha256[:20] in text.replace(" ", "").replace("\n", "")
    assert "Luc Bernard" in text and "Laon" in text
    with pytest.raises(ValidationError, match="pas à contresigner"):
        signoffs.cosign_installation(
            allocation_id=allocation.pk, actor=place.laon_officer, typed_name="Luc Bernard"
        )


def test_an_installation_the_school_has_not_accepted_is_not_to_co_sign(place):
    allocation = installed(place.school)
    with pytest.raises(ValidationError, match="pas à contresigner"):
        signoffs.cosign_installation(
            allocation_id=allocation.pk, actor=place.laon_officer, typed_name="Luc Bernard"
        )


def test_a_communes_officer_cannot_co_sign_a_colleges_installation(place):
    allocation = installed(place.college)
    accept(place, allocation, user=place.college_head)
    with pytest.raises(PermissionDenied):
        signoffs.cosign_installation(
            allocation_id=allocation.pk, actor=place.laon_officer, typed_name="Luc Bernard"
        )
    signoff = signoffs.cosign_installation(
        allocation_id=allocation.pk, actor=place.aisne_officer, typed_name="Département"
    )
    assert signoff.party == SignoffParty.AUTHORITY


def test_another_communes_officer_cannot_co_sign(place):
    allocation = installed(place.school)
    accept(place, allocation)
    for user in (place.cergy_officer, place.head, place.coordinator):
        with pytest.raises(PermissionDenied):
            signoffs.cosign_installation(
                allocation_id=allocation.pk, actor=user, typed_name="Quelqu'un"
            )


def test_each_role_only_where_it_is_granted(place):
    """Head at Jean-Macé and officer of Soissons: signs at Jean-Macé, not at Soissons; co-signs
    at Soissons, not at Jean-Macé."""
    here = installed(place.school)
    there = installed(place.soissons_school)
    soissons_head = place.soissons_school
    with pytest.raises(PermissionDenied):
        accept(place, there, user=place.two_roles)
    accept(place, here, user=place.two_roles)
    with pytest.raises(PermissionDenied):
        signoffs.cosign_installation(
            allocation_id=here.pk, actor=place.two_roles, typed_name="Deux Rôles"
        )
    from tests.factories import Role, user_with_role

    accept(place, there, user=user_with_role(Role.SCHOOL_HEAD, soissons_head))
    signoffs.cosign_installation(
        allocation_id=there.pk, actor=place.two_roles, typed_name="Deux Rôles"
    )


def test_a_bulk_co_signature_is_one_signature_over_one_document(place):
    allocations = [installed(place.school, devices=1) for _ in range(3)]
    allocations.append(installed(place.other_school, devices=1))
    for allocation in allocations[:3]:
        accept(place, allocation)
    accept(place, allocations[3], user=place.other_head)
    before = Signature.objects.count()
    done = signoffs.cosign_installations(
        allocation_ids=[a.pk for a in allocations],
        actor=place.laon_officer,
        typed_name="Luc Bernard",
    )
    assert len(done) == 4
    assert Signature.objects.count() == before + 1
    assert len({s.signature_id for s in done}) == 1 and len({s.report_id for s in done}) == 1
    text = " ".join(pdf_text(done[0].report).split())
    assert "École Victor-Hugo" in text and "École Jean-Macé" in text
    assert all(a.pk and f"n° {a.pk}" in text for a in allocations)


def test_a_bulk_co_signature_is_all_or_nothing(place):
    ready = installed(place.school)
    accept(place, ready)
    not_ready = installed(place.school)
    with pytest.raises(ValidationError, match="pas à contresigner"):
        signoffs.cosign_installations(
            allocation_ids=[ready.pk, not_ready.pk], actor=place.laon_officer, typed_name="Luc B"
        )
    ready.refresh_from_db()
    assert ready.authority_signed_at is None
    assert not Signoff.objects.filter(party=SignoffParty.AUTHORITY).exists()
    foreign = installed(place.cergy_school)
    accept(place, foreign, user=place.cergy_head)
    with pytest.raises(PermissionDenied):
        signoffs.cosign_installations(
            allocation_ids=[ready.pk, foreign.pk], actor=place.laon_officer, typed_name="Luc B"
        )
    with pytest.raises(ValidationError):
        signoffs.cosign_installations(allocation_ids=[], actor=place.laon_officer, typed_name="L")


def test_a_photo_is_not_left_behind_when_the_decision_fails(place, monkeypatch, settings):
    allocation = installed(place.school)

    def broken(school_ids):
        raise RuntimeError("panne")

    monkeypatch.setattr(signoffs, "recount_schools", broken)
    with pytest.raises(RuntimeError):
        accept(place, allocation, photo=SimpleUploadedFile("p.png", PHOTO_PNG))
    folder = settings.MEDIA_ROOT / "installations"
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))
