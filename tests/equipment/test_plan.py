"""The M4 plan: the solver never spends more than the budget (random instances), finds the same
optimum as a brute force on tiny ones, funds a class only entirely, ranks the poorest schools
first; the plan of a node from its audits and its envelope (remaining = amount − committed
orders); the page and its export for the coordination only."""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.equipment.audit_factories import FULL_CLASS, audit, school_with_classes, without
from tests.equipment.factories import PRICES, EnvelopeFactory, OrderFactory, price_kits
from tests.factories import Role, user_with_role
from tne.equipment.enums import OrderStatus
from tne.equipment.plan import (
    REASON_BUDGET,
    REASON_NOT_AUDITED,
    Candidate,
    max_count,
    plan_for,
    solve,
)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


def _candidates(costs):
    return [Candidate(i, cost, i) for i, cost in enumerate(costs)]


def _total(chosen):
    return sum((c.cost for c in chosen), Decimal("0"))


@settings(max_examples=150, deadline=None)
@given(
    classes=st.lists(amounts, max_size=40),
    kits=st.lists(amounts, max_size=8),
    budget=st.decimals(min_value=Decimal("0"), max_value=Decimal("40000"), places=2),
)
def test_it_never_spends_more_than_the_budget(classes, kits, budget):
    kit_candidates = [Candidate(("kit", i), c, i) for i, c in enumerate(kits)]
    chosen, chosen_kits = solve(_candidates(classes), kit_candidates, budget)
    assert _total(chosen) + _total(chosen_kits) <= budget
    # As many classes as the budget can pay for.
    assert len(chosen) == max_count(classes, budget)


def _brute_force(costs, budget):
    """(number of classes, sum of their ranks) of the best choice, by trying them all."""
    best = (0, 0)
    for size in range(len(costs) + 1):
        for subset in itertools.combinations(range(len(costs)), size):
            if sum((costs[i] for i in subset), Decimal("0")) <= budget:
                best = max(best, (size, -sum(subset)))
    return best


@settings(max_examples=120, deadline=None)
@given(
    costs=st.lists(
        st.decimals(min_value=Decimal("1"), max_value=Decimal("100"), places=2),
        min_size=1,
        max_size=8,
    ),
    budget=st.decimals(min_value=Decimal("0"), max_value=Decimal("400"), places=2),
)
def test_it_finds_the_brute_force_optimum_on_tiny_instances(costs, budget):
    chosen, _ = solve(_candidates(costs), [], budget)
    assert (len(chosen), -sum(c.rank for c in chosen)) == _brute_force(costs, budget)


@settings(max_examples=120, deadline=None)
@given(
    costs=st.lists(
        st.sampled_from([Decimal("10"), Decimal("25.50"), Decimal("40"), Decimal("41.99")]),
        min_size=1,
        max_size=9,
    ),
    budget=st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2),
)
def test_it_finds_the_brute_force_optimum_when_many_classes_cost_the_same(costs, budget):
    # The real case: a class's cost depends only on which criteria it misses.
    chosen, _ = solve(_candidates(costs), [], budget)
    assert (len(chosen), -sum(c.rank for c in chosen)) == _brute_force(costs, budget)
    assert _total(chosen) <= budget


def test_the_ranking_decides_between_classes_of_the_same_cost():
    chosen, _ = solve(_candidates([Decimal("10")] * 5), [], Decimal("30"))
    assert [c.rank for c in chosen] == [0, 1, 2]


def test_more_classes_beat_a_better_ranked_expensive_one():
    # The first class costs as much as the next three: three classes are funded, not one.
    costs = [Decimal("30"), Decimal("10"), Decimal("10"), Decimal("10")]
    chosen, _ = solve(_candidates(costs), [], Decimal("30"))
    assert sorted(c.rank for c in chosen) == [1, 2, 3]


def test_kits_come_after_classes_with_what_is_left():
    kits = [Candidate(("kit", 0), Decimal("5"), 0), Candidate(("kit", 1), Decimal("5"), 1)]
    chosen, chosen_kits = solve(_candidates([Decimal("10"), Decimal("10")]), kits, Decimal("25"))
    assert len(chosen) == 2
    assert [k.rank for k in chosen_kits] == [0]


def test_the_same_data_gives_the_same_plan():
    costs = [Decimal(c) for c in ("12.5", "7", "7", "3.2", "9.9", "7", "12.5", "1")]
    first = solve(_candidates(costs), [], Decimal("30"))
    assert all(solve(_candidates(costs), [], Decimal("30")) == first for _ in range(3))


# --- The plan of a node --------------------------------------------------------------------

SOCLE_CLASS = sum(
    PRICES[c]
    for c in ("projector", "laptop", "wifi-access-point", "webcam", "microphone", "speakers")
)


@pytest.fixture
def aisne_plan(tree):
    """Three Aisne schools: a poor one (IPS 80) with two classes missing everything, a richer
    one (IPS 120) with one class missing its laptop and one complete, one not audited; and a
    Val-d'Oise school, outside."""
    price_kits()
    poor, poor_classes = school_with_classes(tree.laon, 2, ips=Decimal("80.0"), name="Pauvre")
    rich, (laptopless, complete) = school_with_classes(
        tree.soissons, 2, ips=Decimal("120.0"), name="Riche"
    )
    unknown, _ = school_with_classes(tree.laon, 1, ips=Decimal("70.0"), name="Inconnue")
    outside, outside_classes = school_with_classes(tree.cergy, 1, ips=Decimal("60.0"))
    audit(poor, {key: {} for key in poor_classes}, head_has_laptop=True)
    audit(rich, {laptopless: without("has_laptop"), complete: FULL_CLASS}, has_shared_pack=True)
    audit(outside, {key: {} for key in outside_classes})
    envelope = EnvelopeFactory(node=tree.aisne, amount=SOCLE_CLASS + PRICES["laptop"])
    return {
        "poor": poor,
        "poor_classes": poor_classes,
        "rich": rich,
        "laptopless": laptopless,
        "unknown": unknown,
        "envelope": envelope,
    }


def test_the_plan_of_a_node_funds_whole_classes_the_most_it_can(tree, aisne_plan):
    plan = plan_for(tree.aisne, aisne_plan["envelope"])

    funded = [c.gap.class_id for c in plan.classes]
    # Two classes: the laptopless one and one of the poor school (the poor school first).
    assert funded == [aisne_plan["poor_classes"][0].pk, aisne_plan["laptopless"].pk]
    assert plan.total == SOCLE_CLASS + PRICES["laptop"] <= plan.budget
    reasons = {(u.school.pk, u.reason) for u in plan.unfunded}
    assert (aisne_plan["poor"].pk, REASON_BUDGET) in reasons
    assert (aisne_plan["unknown"].pk, REASON_NOT_AUDITED) in reasons
    assert dict((code, qty) for code, _, qty in plan.items)["laptop"] == 2


def test_the_budget_is_the_amount_less_the_committed_orders(tree, aisne_plan):
    envelope = aisne_plan["envelope"]
    OrderFactory(envelope=envelope, status=OrderStatus.COMMITTED, total=PRICES["laptop"])
    OrderFactory(envelope=envelope, status=OrderStatus.DRAFT, total=Decimal("100000"))

    plan = plan_for(tree.aisne, envelope)

    assert plan.committed == PRICES["laptop"]
    assert plan.budget == SOCLE_CLASS
    assert len(plan.classes) == 1 and plan.total <= plan.budget


def test_school_packs_and_head_kits_come_with_what_is_left(tree, aisne_plan):
    envelope = aisne_plan["envelope"]
    envelope.amount = (
        2 * SOCLE_CLASS + PRICES["laptop"] + PRICES["router-4g"] + PRICES["printer-scanner"]
    )
    envelope.save()

    plan = plan_for(tree.aisne, envelope, include_school_packs=True, include_head_kits=True)

    assert len(plan.classes) == 3
    assert [(k.school.pk, k.kind) for k in plan.kits] == [(aisne_plan["poor"].pk, "HEAD")]
    assert plan.total == envelope.amount
    unfunded = {(u.school.pk, u.what) for u in plan.unfunded}
    assert (aisne_plan["poor"].pk, "Lot mutualisé (socle école)") in unfunded


def test_the_plan_page_is_for_the_coordination_of_the_node(client, tree, aisne_plan):
    url = reverse("equipment:audit_plan") + f"?envelope={aisne_plan['envelope'].pk}"
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert "Pauvre" in html and "Budget insuffisant" in html

    for fmt in ("csv", "xlsx"):
        response = client.get(
            reverse("equipment:audit_plan_export", args=[fmt])
            + f"?envelope={aisne_plan['envelope'].pk}"
        )
        assert response.status_code == 200
    csv = b"".join(
        client.get(
            reverse("equipment:audit_plan_export", args=["csv"])
            + f"?envelope={aisne_plan['envelope'].pk}"
        ).streaming_content
    ).decode()
    assert "Financé" in csv and "Non financé" in csv

    # Val-d'Oise's coordinator does not see Aisne's envelope: the form refuses it.
    client.force_login(user_with_role(Role.COORDINATOR, tree.vdo))
    html = client.get(url).content.decode()
    assert "Pauvre" not in html
    assert (
        client.get(
            reverse("equipment:audit_plan_export", args=["csv"])
            + f"?envelope={aisne_plan['envelope'].pk}"
        ).status_code
        == 404
    )

    # A school head audits, they do not plan.
    client.force_login(user_with_role(Role.SCHOOL_HEAD, aisne_plan["poor"]))
    assert client.get(url).status_code == 403


def test_the_plan_page_without_an_envelope_says_so(client, tree):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    html = client.get(reverse("equipment:audit_plan")).content.decode()
    assert "Aucune enveloppe M4" in html


@pytest.mark.parametrize("extra", [0, 6])
def test_the_plan_makes_a_fixed_number_of_queries(
    tree, aisne_plan, django_assert_num_queries, extra
):
    for _i in range(extra):
        school, classes = school_with_classes(tree.laon, 2)
        audit(school, {key: {} for key in classes})
    envelope = aisne_plan["envelope"]
    # prices 3, committed 1, schools 1, classes 1, class audits 1, school audits 1.
    with django_assert_num_queries(8):
        plan_for(tree.aisne, envelope, include_school_packs=True, include_head_kits=True)
