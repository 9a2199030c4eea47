"""The budget ledger on hand-made data: envelope, parts, committed, spent, remaining per node,
cost per equipped class (M5) and per teacher handed over (M7), and its query count whatever
the data."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import Role, SchoolClassFactory, SchoolFactory, StaffFactory, user_with_role
from tne.equipment import ledger
from tne.equipment.enums import AllocationStatus, OrderStatus
from tne.equipment.models import Invoice

from .factories import (
    AllocationFactory,
    CampaignFactory,
    EnvelopeFactory,
    OrderFactory,
    kit,
    measure,
)


def _order(envelope, total, status=OrderStatus.COMMITTED, invoiced=None):
    order = OrderFactory(envelope=envelope, status=status, total=Decimal(total))
    if invoiced:
        Invoice.objects.create(
            order=order, number="F", issued_on=datetime.date(2026, 11, 1), amount=invoiced
        )
    return order


def _equip(campaign, commune, classes, status=AllocationStatus.IN_SERVICE):
    school = SchoolFactory(commune=commune)
    for _ in range(classes):
        AllocationFactory(
            campaign=campaign,
            school=school,
            school_class=SchoolClassFactory(school=school),
            status=status,
        )


@pytest.fixture
def m5(tree):
    m5 = measure("M5")
    aisne = EnvelopeFactory(node=tree.aisne, measure=m5, amount=Decimal("100000"))
    laon = EnvelopeFactory(node=tree.laon, measure=m5, amount=Decimal("30000"), parent=aisne)
    EnvelopeFactory(node=tree.vdo, measure=m5, amount=Decimal("55555"))
    _order(aisne, "20000", invoiced=Decimal("15000"))
    _order(aisne, "9999", status=OrderStatus.DRAFT)
    _order(aisne, "8888", status=OrderStatus.CANCELLED)
    _order(laon, "12000", invoiced=Decimal("12000"))
    campaign = CampaignFactory(node=tree.aisne, kit=kit("kit-hybride"))
    _equip(campaign, tree.laon, 3)
    _equip(campaign, tree.soissons, 1)
    _equip(campaign, tree.soissons, 2, status=AllocationStatus.INSTALLED)  # Not yet in service.
    return m5


def test_the_ledger_of_a_departement_and_the_nodes_below(tree, m5):
    result = ledger.ledger_for(measure=m5, node=tree.aisne)

    own, below = result.own, result.below
    assert own.node == tree.aisne
    assert (own.amount, own.split, own.committed, own.spent) == (
        Decimal("100000"),
        Decimal("30000"),
        Decimal("20000"),
        Decimal("15000"),
    )
    assert own.remaining == Decimal("50000")
    assert own.subtree_committed == Decimal("32000")
    assert own.beneficiaries == 4
    assert own.cost_per_beneficiary == Decimal("8000.00")
    assert [row.node for row in below] == [tree.laon]
    laon = below[0]
    assert (laon.amount, laon.committed, laon.spent, laon.remaining) == (
        Decimal("30000"),
        Decimal("12000"),
        Decimal("12000"),
        Decimal("18000"),
    )
    assert laon.beneficiaries == 3 and laon.cost_per_beneficiary == Decimal("4000.00")


def test_the_national_ledger_sums_nothing_twice(tree, m5):
    result = ledger.ledger_for(measure=m5, node=tree.country)

    assert result.own.amount == 0 and result.own.cost_per_beneficiary == Decimal("8000.00")
    assert [row.node for row in result.below] == [tree.vdo, tree.aisne, tree.laon]  # By path
    assert result.own.subtree_committed == Decimal("32000")
    assert result.below[0].cost_per_beneficiary is None  # Nothing in service in Val-d'Oise.


def test_m7_counts_the_teachers_handed_over(tree):
    m7 = measure("M7")
    envelope = EnvelopeFactory(node=tree.aisne, measure=m7, amount=Decimal("10000"))
    _order(envelope, "3000")
    campaign = CampaignFactory(node=tree.aisne, kit=kit("nouvel-enseignant"))
    school = SchoolFactory(commune=tree.laon)
    for status in (
        AllocationStatus.IN_SERVICE,
        AllocationStatus.IN_SERVICE,
        AllocationStatus.ORDERED,
    ):
        AllocationFactory(
            campaign=campaign, school=school, staff=StaffFactory(school=school), status=status
        )

    result = ledger.ledger_for(measure=m7, node=tree.aisne)

    assert result.own.beneficiaries == 2
    assert result.own.cost_per_beneficiary == Decimal("1500.00")
    assert result.beneficiary_label == "nouvel enseignant équipé"


def test_the_default_node_is_the_users_own(tree):
    assert ledger.default_node(user_with_role(Role.COORDINATOR, tree.aisne)) == tree.aisne
    assert ledger.default_node(user_with_role(Role.EVALUATOR, tree.country)) == tree.country
    head = user_with_role(Role.SCHOOL_HEAD, SchoolFactory(commune=tree.laon))
    assert ledger.default_node(head) is None
    readable = ledger.ledger_nodes(user_with_role(Role.COORDINATOR, tree.aisne))
    assert tree.laon in readable and tree.vdo not in readable


def test_the_ledger_takes_the_same_queries_whatever_the_data(tree, m5, django_assert_num_queries):
    with django_assert_num_queries(6):
        ledger.ledger_for(measure=m5, node=tree.country)
    campaign = CampaignFactory(node=tree.vdo, kit=kit("kit-hybride"))
    for commune in (tree.cergy, tree.pontoise):
        envelope = EnvelopeFactory(node=commune, measure=m5, amount=Decimal("1000"))
        _order(envelope, "500", invoiced=Decimal("100"))
        _equip(campaign, commune, 4)
    with django_assert_num_queries(6):
        result = ledger.ledger_for(measure=m5, node=tree.country)
    assert len(result.below) == 5
