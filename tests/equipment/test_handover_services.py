"""M7: the new teacher's kit allocated, handed over against a signed receipt naming each
device, and given back (each device's outcome), with what they still hold."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import Role, StaffFactory, user_with_role
from tne.core.documents import verify
from tne.equipment.enums import AllocationStatus, AssetEventKind, AssetState
from tne.equipment.models import Allocation, AssetEvent, Campaign, Handover, SchoolTally
from tne.equipment.services import handovers

from .factories import AssetFactory, price_kits
from .signoff_factories import Place


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(tree):
    return Place(tree)


@pytest.fixture
def teacher(place):
    return StaffFactory(
        school=place.school, is_new_teacher=True, first_name="Julie", last_name="Moreau"
    )


def stock(tree, *codes, node=None):
    models = price_kits()
    return [
        AssetFactory(model=models[code], stock_node=node or tree.aisne, state=AssetState.IN_STOCK)
        for code in codes
    ]


KIT = ("laptop", "webcam", "microphone")


def pdf_text(document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True)
    return " ".join(result.stdout.decode().split())


def test_it_allocates_the_kit_in_the_m7_campaign_of_the_departement(place, teacher):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    assert allocation.staff == teacher and allocation.kit.code == "nouvel-enseignant"
    assert allocation.measure.code == "M7" and allocation.status == AllocationStatus.PLANNED
    assert allocation.campaign.node == place.tree.aisne
    again = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    assert again == allocation and Allocation.objects.count() == 1
    other = StaffFactory(school=place.other_school, is_new_teacher=True)
    assert handovers.allocate_kit(staff_id=other.pk, actor=place.other_head).campaign == (
        allocation.campaign
    )
    assert Campaign.objects.count() == 1
    assert SchoolTally.objects.filter(school=place.school, status="PLANNED").get().count == 1


def test_only_a_new_teacher_and_only_where_granted(place, teacher):
    veteran = StaffFactory(school=place.school, is_new_teacher=False)
    with pytest.raises(ValidationError):
        handovers.allocate_kit(staff_id=veteran.pk, actor=place.head)
    for user in (place.other_head, place.laon_officer, place.cergy_head):
        with pytest.raises(PermissionDenied):
            handovers.allocate_kit(staff_id=teacher.pk, actor=user)
    technician = user_with_role(Role.TECHNICIAN, place.tree.aisne)
    assert handovers.allocate_kit(staff_id=teacher.pk, actor=technician).pk


def test_it_hands_over_against_a_signed_receipt(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    devices = stock(tree, *KIT)
    scanned = "\n".join(d.asset_tag.lower() for d in devices) + "\n" + devices[0].asset_tag
    handover = handovers.hand_over(
        allocation_id=allocation.pk, actor=place.head, tags=scanned, typed_name="Julie Moreau"
    )
    assert verify(handover.receipt)
    assert handover.signature.document_sha256 == handover.receipt.sha256
    assert handover.signature.capacity == "Enseignant bénéficiaire"
    assert handover.signature.typed_name == "Julie Moreau" and handover.signature.signer is None
    assert handover.created_by == place.head
    text = pdf_text(handover.receipt)
    assert "Julie Moreau" in text and "Reçu de remise" in text
    for device in devices:
        device.refresh_from_db()
        assert device.serial_number in text and device.asset_tag in text
        assert device.model.name in text
        assert device.holder == teacher and device.state == AssetState.ALLOCATED
        assert device.school == place.school and device.stock_node is None
    assert AssetEvent.objects.filter(kind=AssetEventKind.HANDED_OVER).count() == 3
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.IN_SERVICE and allocation.in_service_on
    assert set(handovers.still_held(teacher)) == set(devices)
    with pytest.raises(ValidationError, match="pas à remettre"):
        handovers.hand_over(
            allocation_id=allocation.pk, actor=place.head, tags=scanned, typed_name="Julie M"
        )


def test_the_devices_must_match_the_kit(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    laptop, webcam, _ = stock(tree, *KIT)
    speakers, second_laptop = stock(tree, "speakers", "laptop")
    with pytest.raises(ValidationError) as error:
        handovers.hand_over(
            allocation_id=allocation.pk,
            actor=place.head,
            tags=[laptop.asset_tag, webcam.asset_tag, speakers.asset_tag, second_laptop.asset_tag],
            typed_name="Julie Moreau",
        )
    message = " ".join(error.value.messages)
    assert "Il manque au kit\u00a0: 1 × Microphone." in message
    assert "En trop pour ce kit" in message and "1 × Haut-parleurs" in message
    assert "1 × Ordinateur portable" in message
    assert not Handover.objects.exists()
    laptop.refresh_from_db()
    assert laptop.state == AssetState.IN_STOCK and laptop.holder is None


def test_unknown_foreign_or_not_in_stock_devices_are_refused(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    laptop, webcam, _ = stock(tree, *KIT)
    (foreign,) = stock(tree, "microphone", node=tree.vdo)
    webcam.state = AssetState.IN_REPAIR
    webcam.save()
    with pytest.raises(ValidationError) as error:
        handovers.hand_over(
            allocation_id=allocation.pk,
            actor=place.head,
            tags=f"{laptop.asset_tag};{webcam.asset_tag};{foreign.asset_tag}",
            typed_name="Julie Moreau",
        )
    message = " ".join(error.value.messages)
    assert f"{webcam.asset_tag} n'est pas en stock" in message
    assert f"{foreign.asset_tag} est dans le stock d'un autre territoire" in message
    with pytest.raises(ValidationError) as unknown:
        handovers.hand_over(
            allocation_id=allocation.pk, actor=place.head, tags="nope-1", typed_name="Julie M"
        )
    assert "inconnus\u00a0: NOPE-1." in " ".join(unknown.value.messages)
    with pytest.raises(ValidationError):
        handovers.hand_over(
            allocation_id=allocation.pk, actor=place.head, tags="  ", typed_name="Julie M"
        )


def test_the_teachers_typed_name_is_required(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    devices = stock(tree, *KIT)
    with pytest.raises(ValidationError):
        handovers.hand_over(
            allocation_id=allocation.pk,
            actor=place.head,
            tags=[d.asset_tag for d in devices],
            typed_name="",
        )
    assert not Handover.objects.exists()


def test_the_teacher_gives_back_each_device_in_its_state(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    laptop, webcam, microphone = stock(tree, *KIT)
    handovers.hand_over(
        allocation_id=allocation.pk,
        actor=place.head,
        tags=[laptop.asset_tag, webcam.asset_tag, microphone.asset_tag],
        typed_name="Julie M",
    )
    with pytest.raises(ValidationError, match="chaque matériel"):
        handovers.give_back(
            allocation_id=allocation.pk,
            actor=place.head,
            outcomes={laptop.pk: "GOOD"},
            typed_name="Julie Moreau",
        )
    receipt = handovers.give_back(
        allocation_id=allocation.pk,
        actor=place.head,
        outcomes={laptop.pk: "GOOD", webcam.pk: "REPAIR", microphone.pk: "LOST"},
        typed_name="Julie Moreau",
    )
    states = {
        a.pk: a for a in type(laptop).objects.filter(pk__in=[laptop.pk, webcam.pk, microphone.pk])
    }
    assert states[laptop.pk].state == AssetState.IN_STOCK
    assert states[webcam.pk].state == AssetState.IN_REPAIR
    assert states[microphone.pk].state == AssetState.LOST
    assert all(a.holder is None and a.stock_node == tree.aisne for a in states.values())
    assert not handovers.still_held(teacher).exists()
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.RETURNED and allocation.returned_on
    text = pdf_text(receipt.receipt)
    assert "Reçu de restitution" in text and "À réparer" in text and "Perdu" in text
    assert laptop.serial_number in text
    assert AssetEvent.objects.filter(kind=AssetEventKind.RETURNED).count() == 3
    # A new kit can be allocated after the return.
    assert handovers.allocate_kit(staff_id=teacher.pk, actor=place.head) != allocation


def test_no_hand_over_where_not_granted(place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    devices = stock(tree, *KIT)
    for user in (
        place.other_head,
        place.laon_officer,
        place.two_roles_elsewhere() if hasattr(place, "two_roles_elsewhere") else place.cergy_head,
    ):
        with pytest.raises(PermissionDenied):
            handovers.hand_over(
                allocation_id=allocation.pk,
                actor=user,
                tags=[d.asset_tag for d in devices],
                typed_name="Julie M",
            )
