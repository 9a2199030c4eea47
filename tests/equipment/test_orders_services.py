"""Orders charged to envelopes: drafts and lines, the commitment within what is left on the
envelope (its parts and its other committed orders taken off), the override with its reason,
cancellation, invoices, the order of a whole campaign, and two commitments racing for the last
euros on PostgreSQL."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import Role, SchoolClassFactory, SchoolFactory, grant, user_with_role
from tne.core.audit import history_of
from tne.core.formats import euros
from tne.equipment import pricing
from tne.equipment.enums import AllocationStatus, OrderStatus
from tne.equipment.models import Allocation, Order, OrderLine, SchoolTally
from tne.equipment.services import orders

from .factories import (
    AllocationFactory,
    CampaignFactory,
    DeviceModelFactory,
    EnvelopeFactory,
    OrderFactory,
    OrderLineFactory,
    SupplierFactory,
    kit,
    measure,
    price_kits,
)

NB = "\u00a0"


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


@pytest.fixture
def national(tree):
    return user_with_role(Role.NATIONAL, tree.country)


@pytest.fixture
def envelope(tree):
    return EnvelopeFactory(node=tree.aisne, measure=measure("M5"), amount=Decimal("10000"))


def _draft(actor, envelope, *lines, number="CMD-1"):
    order = orders.create_order(
        actor=actor, number=number, supplier=SupplierFactory(), envelope=envelope
    )
    for price, quantity in lines:
        model = DeviceModelFactory(unit_price=Decimal(price))
        orders.set_line(actor=actor, order=order, model=model, quantity=quantity)
    order.refresh_from_db()
    return order


def test_it_creates_a_draft_with_lines_at_the_models_price(coordinator, envelope):
    order = _draft(coordinator, envelope, ("749.00", 4), ("89.90", 10))

    assert order.status == OrderStatus.DRAFT
    assert order.total == Decimal("3895.00")
    assert history_of(order).count() == 1
    assert orders.envelope_remaining(envelope) == Decimal("10000")  # A draft commits nothing.


def test_a_line_may_have_its_own_price_and_changes_in_place(coordinator, envelope):
    order = _draft(coordinator, envelope)
    model = DeviceModelFactory(unit_price=Decimal("100"))
    orders.set_line(actor=coordinator, order=order, model=model, quantity=2)
    orders.set_line(
        actor=coordinator, order=order, model=model, quantity=3, unit_price=Decimal("90")
    )
    order.refresh_from_db()

    assert order.lines.get().quantity == 3
    assert order.total == Decimal("270")


def test_it_commits_within_the_envelope(coordinator, envelope):
    order = _draft(coordinator, envelope, ("1000", 6))

    orders.commit_order(actor=coordinator, order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.COMMITTED
    assert order.ordered_on is not None
    assert order.override_reason == ""
    assert orders.envelope_remaining(envelope) == Decimal("4000")


def test_it_refuses_an_order_above_what_is_left_naming_the_amounts(coordinator, envelope):
    first = _draft(coordinator, envelope, ("1000", 6), number="CMD-1")
    orders.commit_order(actor=coordinator, order=first)
    second = _draft(coordinator, envelope, ("1000", 5), number="CMD-2")

    with pytest.raises(ValidationError) as error:
        orders.commit_order(actor=coordinator, order=second)

    message = " ".join(error.value.messages)
    assert euros(5000) in message and euros(4000) in message
    assert euros(10000) in message
    second.refresh_from_db()
    assert second.status == OrderStatus.DRAFT


def test_parts_split_to_child_envelopes_are_not_available(tree, coordinator, envelope):
    EnvelopeFactory(
        node=tree.laon, measure=envelope.measure, parent=envelope, amount=Decimal("7000")
    )
    order = _draft(coordinator, envelope, ("1000", 4))

    with pytest.raises(ValidationError) as error:
        orders.commit_order(actor=coordinator, order=order)

    assert euros(3000) in " ".join(error.value.messages)


def test_an_override_with_its_reason_is_recorded(coordinator, envelope):
    order = _draft(coordinator, envelope, ("1000", 12))

    orders.commit_order(actor=coordinator, order=order, override_reason="Rallonge votée le 3/11")

    order.refresh_from_db()
    assert order.status == OrderStatus.COMMITTED
    assert order.override_reason == "Rallonge votée le 3/11"
    assert order.override_by == coordinator and order.override_at is not None
    event = history_of(order).order_by("-at", "-pk").first()
    assert event.changes["override_reason"] == [None, "Rallonge votée le 3/11"]
    assert event.changes["exceeds_by"] == [None, "2000.00"]
    assert orders.envelope_remaining(envelope) == Decimal("-2000")


def test_a_second_role_elsewhere_lends_no_ordering_reach(tree, envelope):
    coordinator_vdo = user_with_role(Role.COORDINATOR, tree.vdo)
    grant(coordinator_vdo, Role.TECHNICIAN, tree.aisne)  # Reads Aisne's equipment, orders none.
    draft = OrderFactory(envelope=envelope)
    OrderLineFactory(order=draft, quantity=1)

    with pytest.raises(PermissionDenied):
        _draft(coordinator_vdo, envelope)
    with pytest.raises(PermissionDenied):
        orders.commit_order(actor=coordinator_vdo, order=draft, override_reason="Motif")
    assert Order.objects.get(pk=draft.pk).status == OrderStatus.DRAFT


def test_a_coordinator_orders_only_on_envelopes_of_their_territory(tree, coordinator):
    envelope_vdo = EnvelopeFactory(node=tree.vdo, measure=measure("M5"))
    national = EnvelopeFactory(node=tree.country, measure=measure("M5"))

    for foreign in (envelope_vdo, national):
        with pytest.raises(PermissionDenied):
            _draft(coordinator, foreign)


def test_a_school_head_places_no_order(tree, envelope):
    school = SchoolFactory(commune=tree.laon)
    head = user_with_role(Role.SCHOOL_HEAD, school)

    with pytest.raises(PermissionDenied):
        _draft(head, envelope)


def test_an_empty_order_is_not_committed(coordinator, envelope):
    with pytest.raises(ValidationError, match="aucune ligne"):
        orders.commit_order(actor=coordinator, order=_draft(coordinator, envelope))


def test_a_committed_order_keeps_its_lines(coordinator, envelope):
    order = _draft(coordinator, envelope, ("10", 1))
    orders.commit_order(actor=coordinator, order=order)

    with pytest.raises(ValidationError, match="ne changent plus"):
        orders.set_line(actor=coordinator, order=order, model=DeviceModelFactory(), quantity=1)
    with pytest.raises(ValidationError, match="déjà engagée"):
        orders.commit_order(actor=coordinator, order=order)


def test_cancelling_releases_the_commitment(coordinator, envelope):
    order = _draft(coordinator, envelope, ("1000", 10))
    orders.commit_order(actor=coordinator, order=order)
    assert orders.envelope_remaining(envelope) == 0

    orders.cancel_order(actor=coordinator, order=order)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert orders.envelope_remaining(envelope) == Decimal("10000")


def test_an_order_with_delivered_devices_is_not_cancelled(coordinator, envelope):
    order = _draft(coordinator, envelope, ("1000", 10))
    orders.commit_order(actor=coordinator, order=order)
    OrderLine.objects.filter(order=order).update(delivered=1)

    with pytest.raises(ValidationError) as error:
        orders.cancel_order(actor=coordinator, order=order)
    assert f"a déjà 1{NB}matériel livré" in error.value.messages[0]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMMITTED


def test_invoices_make_the_spent_and_never_exceed_the_order(coordinator, envelope):
    order = _draft(coordinator, envelope, ("1000", 3))
    with pytest.raises(ValidationError, match="pas engagée"):
        orders.add_invoice(
            actor=coordinator, order=order, number="F1", issued_on="2026-11-02", amount=1
        )
    orders.commit_order(actor=coordinator, order=order)
    day = datetime.date(2026, 11, 2)
    orders.add_invoice(
        actor=coordinator, order=order, number="F1", issued_on=day, amount=Decimal("2000")
    )

    with pytest.raises(ValidationError) as error:
        orders.add_invoice(
            actor=coordinator, order=order, number="F2", issued_on=day, amount=Decimal("1000.01")
        )
    assert f"il reste {euros(1000)} à facturer" in " ".join(error.value.messages)
    orders.add_invoice(
        actor=coordinator, order=order, number="F2", issued_on=day, amount=Decimal("1000")
    )
    assert order.invoices.count() == 2
    with pytest.raises(ValidationError, match="factures"):
        orders.cancel_order(actor=coordinator, order=order)


# --- A campaign's order ----------------------------------------------------------------------


@pytest.fixture
def campaign(tree, coordinator):
    price_kits()
    campaign = CampaignFactory(node=tree.laon, kit=kit("kit-hybride"))
    school = SchoolFactory(commune=tree.laon)
    for _ in range(3):
        AllocationFactory(
            campaign=campaign, school=school, school_class=SchoolClassFactory(school=school)
        )
    return campaign


def test_it_orders_a_campaign_in_one_action(tree, coordinator, campaign, envelope):
    envelope.amount = Decimal("100000")
    envelope.save()
    hybrid = pricing.with_items(type(campaign.kit).objects.filter(pk=campaign.kit_id)).get()
    done = AllocationFactory(
        campaign=campaign,
        school=SchoolFactory(commune=tree.laon),
        status=AllocationStatus.IN_SERVICE,
    )

    order = orders.order_campaign(
        campaign=campaign,
        envelope=envelope,
        supplier=SupplierFactory(),
        number="UGAP-2026-001",
        actor=coordinator,
    )

    assert order.status == OrderStatus.COMMITTED and order.campaign == campaign
    assert order.total == pricing.kit_cost(hybrid) * 3
    for item in hybrid.items.all():
        line = order.lines.get(model=pricing.item_model(item))
        assert line.quantity >= item.quantity * 3
    ordered = Allocation.objects.filter(order=order)
    assert ordered.count() == 3
    assert set(ordered.values_list("status", flat=True)) == {AllocationStatus.ORDERED}
    assert Allocation.objects.get(pk=done.pk).order is None
    tally = SchoolTally.objects.get(
        school=ordered.first().school, measure=campaign.measure, status=AllocationStatus.ORDERED
    )
    assert tally.count == 3

    orders.cancel_order(actor=coordinator, order=order)
    assert Allocation.objects.filter(status=AllocationStatus.PLANNED).count() == 3


def test_a_campaign_above_its_envelope_is_refused_and_nothing_moves(
    coordinator, campaign, envelope
):
    envelope.amount = Decimal("100")
    envelope.save()

    with pytest.raises(ValidationError, match="dépasse"):
        orders.order_campaign(
            campaign=campaign,
            envelope=envelope,
            supplier=SupplierFactory(),
            number="UGAP-2026-002",
            actor=coordinator,
        )

    assert not Order.objects.exists()
    assert Allocation.objects.filter(status=AllocationStatus.PLANNED).count() == 3


def test_a_campaign_is_ordered_on_an_envelope_at_or_above_its_node(tree, coordinator, campaign):
    soissons = EnvelopeFactory(node=tree.soissons, measure=measure("M5"))
    aisne = EnvelopeFactory(node=tree.aisne, measure=measure("M5"))
    laon = EnvelopeFactory(node=tree.laon, measure=measure("M5"), parent=aisne, amount=1000)
    EnvelopeFactory(node=tree.country, measure=measure("M5"))  # Not the coordinator's.
    EnvelopeFactory(node=tree.aisne, measure=measure("M4"))  # Not the campaign's measure.

    assert list(orders.envelopes_for_campaign(coordinator, campaign)) == [laon, aisne]
    with pytest.raises(ValidationError, match="couvre"):
        orders.order_campaign(
            campaign=campaign,
            envelope=soissons,
            supplier=SupplierFactory(),
            number="X",
            actor=coordinator,
        )


def test_an_unpriced_kit_is_not_ordered(tree, coordinator, envelope):
    campaign = CampaignFactory(node=tree.laon, kit=kit("kit-hybride"))
    school = SchoolFactory(commune=tree.laon)
    AllocationFactory(
        campaign=campaign, school=school, school_class=SchoolClassFactory(school=school)
    )

    with pytest.raises(ValidationError, match="pas chiffré"):
        orders.order_campaign(
            campaign=campaign,
            envelope=envelope,
            supplier=SupplierFactory(),
            number="X",
            actor=coordinator,
        )


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
)
@pytest.mark.django_db(transaction=True)
def test_two_orders_racing_for_the_last_euros_exactly_one_wins(tree):
    from tests.programme.factories import ensure_measures

    ensure_measures()
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    envelope = EnvelopeFactory(node=tree.aisne, measure=measure("M4"), amount=Decimal("1000"))
    drafts = [OrderFactory(envelope=envelope, status=OrderStatus.DRAFT) for _ in range(2)]
    model = DeviceModelFactory()
    for draft in drafts:
        OrderLineFactory(order=draft, model=model, quantity=1, unit_price=Decimal("600"))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def commit(order):
        try:
            barrier.wait(timeout=10)
            orders.commit_order(actor=coordinator, order=order)
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(errors) == 1
    assert euros(400) in " ".join(errors[0].messages)
    assert Order.objects.filter(status=OrderStatus.COMMITTED).count() == 1
    assert orders.envelope_remaining(envelope) == Decimal("400")
