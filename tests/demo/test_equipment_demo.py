"""The demo's equipment (tne.demo.equipment) on a small demo load: its invariants."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Sum

from tne.core.documents import verify
from tne.demo import equipment as demo_equipment
from tne.demo.accounts import ensure_demo_accounts
from tne.demo.equipment import load_equipment, serial_for
from tne.demo.programme import load_programme_figures
from tne.demo.summary import equipment_line
from tne.demo.synthesis import synthesise
from tne.equipment.enums import AllocationStatus, AssetState, SignoffDecision, SignoffParty
from tne.equipment.models import (
    Allocation,
    Asset,
    Campaign,
    Category,
    ClassAudit,
    Handover,
    HandoverKind,
    Order,
    OrderLine,
    SchoolAudit,
    SchoolTally,
    Signoff,
)
from tne.equipment.services import handovers
from tne.equipment.services.tallies import COUNTED, recount_schools
from tne.equipment.socle import ClassStatus, class_gaps, load_prices, socle_classes
from tne.programme.models import Envelope
from tne.territory.enums import Stage
from tne.territory.models import SchoolClass, Staff

LIVE = ~Q(status__in=[AllocationStatus.CANCELLED, AllocationStatus.RETURNED])


@pytest.fixture
def demo(small_territory, calibration, fast_passwords, settings, tmp_path, monkeypatch):
    """The small territory with its synthesis, programme figures, accounts and equipment (fewer
    signed installations than the real demo: each one is a PDF)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(demo_equipment, "SIGNED", 4)
    monkeypatch.setattr(demo_equipment, "SCHOOL_ONLY", 2)
    monkeypatch.setattr(demo_equipment, "REFUSED", 1)
    monkeypatch.setattr(demo_equipment, "HANDED_OVER", 3)
    synthesise(calibration=calibration, seed=3)
    load_programme_figures()
    ensure_demo_accounts()
    return load_equipment(seed=3)


def test_it_writes_allocations_at_every_step(demo):
    steps = set(Allocation.objects.values_list("status", flat=True))
    assert steps >= {
        AllocationStatus.PLANNED,
        AllocationStatus.ORDERED,
        AllocationStatus.DELIVERED,
        AllocationStatus.INSTALLED,
        AllocationStatus.IN_SERVICE,
        AllocationStatus.CANCELLED,
    }
    assert demo.allocations == Allocation.objects.count()
    assert set(Allocation.objects.values_list("kit__code", flat=True)) == {
        "kit-hybride",
        "socle-classe",
        "nouvel-enseignant",
    }
    # M7: the kit of a new teacher, handed over when in service.
    handed = Asset.objects.filter(allocation__staff__isnull=False, holder__isnull=False)
    assert handed.exists()
    assert not handed.exclude(holder=F("allocation__staff")).exists()
    assert not Staff.objects.filter(
        pk__in=Allocation.objects.filter(staff__isnull=False).values("staff"),
        is_new_teacher=False,
    ).exists()


def test_each_class_has_each_kit_once(demo):
    duplicates = (
        Allocation.objects.filter(LIVE, school_class__isnull=False)
        .values("kit", "school_class")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert (
        not Allocation.objects.filter(school_class__isnull=False)
        .exclude(school=F("school_class__school"))
        .exists()
    )


def test_orders_stay_within_their_envelopes(demo):
    assert Order.objects.exists()
    for envelope in Envelope.objects.all():
        committed = (
            Order.objects.committed().filter(envelope=envelope).aggregate(t=Sum("total"))["t"]
        )
        assert (committed or Decimal("0")) <= envelope.amount, envelope
    for order in Order.objects.prefetch_related("lines"):
        assert order.total == sum(line.amount for line in order.lines.all())
        assert order.envelope.measure_id == order.campaign.measure_id
        assert order.envelope.node_id == order.campaign.node_id
    # Each line is the kits of its order's allocations.
    for order in Order.objects.prefetch_related("lines", "allocations__kit__items"):
        kits = [a for a in order.allocations.all() if a.status != AllocationStatus.CANCELLED]
        devices = sum(item.quantity for a in kits for item in a.kit.items.all())
        assert sum(line.quantity for line in order.lines.all()) == devices


def test_the_tallies_equal_a_recount(demo):
    before = sorted(SchoolTally.objects.values_list("school", "measure", "status", "count"))
    assert before
    recount_schools()
    assert sorted(SchoolTally.objects.values_list("school", "measure", "status", "count")) == (
        before
    )
    # What a tally counts: the allocations to a class or a teacher (all of the demo's).
    counted = Counter(Allocation.objects.filter(COUNTED).values_list("status", flat=True))
    assert counted.total() == Allocation.objects.count()
    summed = Counter()
    for status, count in SchoolTally.objects.values_list("status", "count"):
        summed[status] += count
    assert summed == counted


def test_signatures_hash_their_documents(demo):
    signoffs = list(Signoff.objects.select_related("report", "signature", "allocation"))
    assert len(signoffs) == 4 * 2 + 2 + 1
    for signoff in signoffs:
        assert signoff.signature.document_id == signoff.report_id
        assert signoff.signature.document_sha256 == signoff.report.sha256
        assert verify(signoff.report)
    # Accepted by the school = in service (the school head's decision); co-signed ones among them.
    accepted = {
        s.allocation_id
        for s in signoffs
        if s.party == SignoffParty.SCHOOL and s.decision == SignoffDecision.ACCEPTED
    }
    cosigned = {s.allocation_id for s in signoffs if s.party == SignoffParty.AUTHORITY}
    in_service = set(
        Allocation.objects.filter(
            status=AllocationStatus.IN_SERVICE, school_class__isnull=False
        ).values_list("pk", flat=True)
    )
    assert accepted == in_service
    assert cosigned < accepted
    refused = [s for s in signoffs if s.decision == SignoffDecision.REFUSED]
    assert [s.allocation.status for s in refused] == [AllocationStatus.DELIVERED]
    assert all(s.remarks for s in refused)
    assert not Allocation.objects.filter(
        status=AllocationStatus.IN_SERVICE,
        school_class__isnull=False,
        school_signed_at__isnull=True,
    ).exists()
    assert (
        set(
            Allocation.objects.filter(authority_signed_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        == cosigned
    )


def test_the_assets_of_delivered_allocations_are_attached(demo):
    delivered = Allocation.objects.filter(
        status__in=[
            AllocationStatus.DELIVERED,
            AllocationStatus.INSTALLED,
            AllocationStatus.IN_SERVICE,
        ]
    ).prefetch_related("kit__items", "assets")
    assert delivered.exists()
    for allocation in delivered:
        expected = sum(item.quantity for item in allocation.kit.items.all())
        assets = list(allocation.assets.all())
        assert len(assets) == expected
        assert {a.school_id for a in assets} == {allocation.school_id}
        assert all(a.order_line.order_id == allocation.order_id for a in assets)
    assert not Asset.objects.filter(
        allocation__status__in=[AllocationStatus.PLANNED, AllocationStatus.ORDERED]
    ).exists()
    for line in OrderLine.objects.annotate(n=Count("assets")):
        assert line.delivered == line.n <= line.quantity
    # Serial numbers and tags are unique, and every device is marked as synthesised.
    assert Asset.objects.values("serial_number").distinct().count() == Asset.objects.count()
    assert not Asset.objects.exclude(note=demo_equipment.MARK).exists()
    assert Asset.objects.filter(state=AssetState.INSTALLED).exists()


def test_every_elementary_class_is_audited_and_has_its_gap_and_cost(demo):
    """The acceptance: the socle gap and its cost computed for every elementary class."""
    elementary = SchoolClass.objects.current().filter(stage=Stage.ELEMENTARY)
    audited = set(ClassAudit.objects.values_list("school_class", flat=True))
    assert audited == set(elementary.values_list("pk", flat=True))
    assert set(SchoolAudit.objects.values_list("school", flat=True)) == set(
        elementary.values_list("school", flat=True)
    )
    gaps = class_gaps(socle_classes(), load_prices())
    assert len(gaps) == elementary.count()
    assert not [g for g in gaps if g.status == ClassStatus.NOT_AUDITED or g.cost is None]
    below = [g for g in gaps if g.is_below]
    assert below and all(g.cost > 0 for g in below)
    assert {g.status for g in gaps} == {ClassStatus.COMPLETE, ClassStatus.GAP}
    # The socle classes installed are at the socle.
    for allocation in Allocation.objects.filter(
        kit__code="socle-classe",
        status__in=[AllocationStatus.INSTALLED, AllocationStatus.IN_SERVICE],
    ):
        row = ClassAudit.objects.get(school_class=allocation.school_class)
        assert all(
            (row.has_display, row.has_laptop, row.has_internet, row.has_camera, row.has_audio)
        )


def test_each_category_has_its_reference_model_from_the_catalogue(demo):
    for category in Category.objects.select_related("reference_model"):
        assert category.reference_model is not None
        assert category.reference_model.category_id == category.pk
        assert 2 <= category.models.count() <= 4


def test_a_second_load_writes_nothing(demo):
    before = (Allocation.objects.count(), Asset.objects.count(), Order.objects.count())
    assert f"{demo.allocations} affectations de kits" in equipment_line(demo)
    again = load_equipment(seed=3)
    assert not again.written
    assert equipment_line(again) == ""
    assert (Allocation.objects.count(), Asset.objects.count(), Order.objects.count()) == before
    assert Campaign.objects.filter(note=demo_equipment.MARK).count() == 6


def test_serials_follow_their_makers_format():
    rng = random.Random(1)
    assert serial_for("Lenovo", rng).startswith("PF")
    assert len(serial_for("Dell", rng)) == 7
    assert serial_for("HP", rng).startswith("5CD")
    assert "LZ" in serial_for("Logitech", rng)


def test_some_new_teachers_signed_their_hand_over_receipt(demo):
    """M7: receipts naming each device the teacher holds, signed with their typed name."""
    receipts = list(Handover.objects.select_related("receipt", "signature", "allocation__staff"))
    assert len(receipts) == demo.receipts == 3
    for receipt in receipts:
        allocation = receipt.allocation
        assert receipt.kind == HandoverKind.HAND_OVER
        assert allocation.status == AllocationStatus.IN_SERVICE and allocation.staff_id
        held = Asset.objects.filter(allocation=allocation, holder=allocation.staff)
        assert sorted(line["tag"] for line in receipt.lines) == sorted(
            held.values_list("asset_tag", flat=True)
        )
        assert len(receipt.lines) == 3  # the kit: a laptop, a webcam, a microphone
        assert receipt.signature.document_id == receipt.receipt_id
        assert receipt.signature.document_sha256 == receipt.receipt.sha256
        assert verify(receipt.receipt)
        staff = allocation.staff
        assert receipt.signature.typed_name == f"{staff.first_name} {staff.last_name}"
        assert receipt.signature.signer is None  # the teacher typed it, not a logged-in user
        assert receipt.receipt.kind == handovers.RECEIPT_KIND
