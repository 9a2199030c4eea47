"""assign_deliveries: the devices delivered against an order go to its ordered allocations,
by category, and a kit complete moves its allocation to delivered."""

import datetime

import pytest

from tne.equipment.enums import AllocationStatus, AssetEventKind, AssetState
from tne.equipment.models import Allocation, AssetEvent
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection

from .deployment_factories import assert_tallies_match, campaign_on, pilot
from .factories import (
    AssetFactory,
    DeviceModelFactory,
    EnvelopeFactory,
    OrderFactory,
    OrderLineFactory,
    category,
    measure,
)

DAY = datetime.date(2026, 11, 3)


@pytest.fixture
def p(tree):
    return pilot(tree)


def ordered(p, school):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(school.pk,)), actor=p.coordinator
    )
    order = OrderFactory(envelope=EnvelopeFactory(node=p.tree.aisne, measure=measure("M5")))
    Allocation.objects.update(order=order, status=AllocationStatus.ORDERED, ordered_on=DAY)
    lines = {
        code: OrderLineFactory(order=order, model=DeviceModelFactory(category=category(code)))
        for code in ("webcam", "microphone", "speakers")
    }
    return order, lines


def deliver(line, n, stock_node=None):
    return [
        AssetFactory(model=line.model, order_line=line, delivered_on=DAY, stock_node=stock_node)
        for _ in range(n)
    ]


def test_it_attaches_one_device_per_kit_line_and_delivers_complete_kits(p):
    school = p.soissons  # Three classes.
    order, lines = ordered(p, school)
    deliver(lines["webcam"], 3, p.tree.aisne)
    deliver(lines["microphone"], 3)
    deliver(lines["speakers"], 2)  # One class lacks its speakers.
    assert deployments.assign_deliveries(order_ids=[order.pk], actor=p.technician) == 2
    rows = list(Allocation.objects.order_by("school_class__name"))
    assert [a.status for a in rows] == [AllocationStatus.DELIVERED] * 2 + [AllocationStatus.ORDERED]
    assert rows[0].delivered_on == DAY
    for allocation in rows:
        devices = list(allocation.assets.all())
        assert {d.state for d in devices} == {AssetState.ALLOCATED}
        assert {(d.school_id, d.school_class_id, d.stock_node_id) for d in devices} == {
            (school.pk, allocation.school_class_id, None)
        }
    assert len(rows[2].assets.all()) == 2
    assert AssetEvent.objects.filter(kind=AssetEventKind.MOVED).count() == 8
    assert_tallies_match()
    # The missing speakers arrive: the third kit is completed, nothing is moved twice.
    deliver(lines["speakers"], 1)
    assert deployments.assign_deliveries(order_ids=[order.pk], actor=p.technician) == 1
    assert rows[2].assets.count() == 3
    assert AssetEvent.objects.filter(kind=AssetEventKind.MOVED).count() == 9
    assert_tallies_match()


def test_devices_of_another_order_or_not_in_stock_are_left(p):
    order, lines = ordered(p, p.soissons)
    other = OrderFactory(envelope=order.envelope)
    other_line = OrderLineFactory(order=other, model=lines["webcam"].model)
    deliver(other_line, 3)
    for device in deliver(lines["webcam"], 3):
        device.state = AssetState.IN_REPAIR
        device.save()
    assert deployments.assign_deliveries(order_ids=[order.pk], actor=p.technician) == 0
    assert not Allocation.objects.exclude(status=AllocationStatus.ORDERED).exists()
    assert not AssetEvent.objects.exists()


def test_planned_allocations_are_not_delivered(p):
    order, lines = ordered(p, p.soissons)
    Allocation.objects.update(status=AllocationStatus.PLANNED)
    for line in lines.values():
        deliver(line, 3)
    assert deployments.assign_deliveries(order_ids=[order.pk], actor=None) == 0
