"""« Créer la campagne » of the M4 plan: the classes (and packs, head kits) the plan funds are
allocated in M4 campaigns through the deployments service, after a confirmation; a second
submit creates nothing; a plan that changed meanwhile is refused; the coordination of the
envelope's node only."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from tests.equipment.audit_factories import FULL_CLASS, audit, school_with_classes, without
from tests.equipment.factories import (
    PRICES,
    AllocationFactory,
    CampaignFactory,
    EnvelopeFactory,
    kit,
    price_kits,
)
from tests.factories import Role, user_with_role
from tests.typography import typography_problems, visible_text_of_html
from tne.core.audit import history_of
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation, Campaign
from tne.equipment.plan import plan_for
from tne.equipment.services import plan_campaigns

SOCLE_CLASS = sum(
    PRICES[c]
    for c in ("projector", "laptop", "wifi-access-point", "webcam", "microphone", "speakers")
)
HEAD_KIT = PRICES["laptop"] + PRICES["router-4g"] + PRICES["printer-scanner"]
PLAN = reverse("equipment:audit_plan")
CREATE = reverse("equipment:audit_plan_campaign")


@pytest.fixture
def world(tree):
    """A poor Laon school (two classes missing everything, its head without a laptop), a
    richer Soissons school (one class without a laptop, one complete); an Aisne M4 envelope
    that pays for the three classes and one head kit."""
    price_kits()
    poor, poor_classes = school_with_classes(tree.laon, 2, ips=Decimal("80.0"), name="Pauvre")
    rich, (laptopless, complete) = school_with_classes(
        tree.soissons, 2, ips=Decimal("120.0"), name="Riche"
    )
    audit(poor, {c: {} for c in poor_classes}, has_shared_pack=True)
    audit(rich, {laptopless: without("has_laptop"), complete: FULL_CLASS}, has_shared_pack=True)
    envelope = EnvelopeFactory(
        node=tree.aisne, amount=2 * SOCLE_CLASS + PRICES["laptop"] + HEAD_KIT
    )
    return {
        "poor": poor,
        "rich": rich,
        "poor_classes": poor_classes,
        "classes": {c.pk for c in poor_classes} | {laptopless.pk},
        "envelope": envelope,
        "coordinator": user_with_role(Role.COORDINATOR, tree.aisne),
    }


def html_text(page: str) -> str:
    return visible_text_of_html(page)


def create(world, **kwargs):
    return plan_campaigns.create_campaigns_from_plan(
        envelope=world["envelope"], actor=kwargs.pop("actor", world["coordinator"]), **kwargs
    )


def test_it_allocates_the_planned_classes_in_an_m4_campaign(tree, world):
    result = create(world)
    (campaign,) = result.campaigns
    assert (campaign.measure.code, campaign.kit.code, campaign.node) == (
        "M4",
        "socle-classe",
        tree.aisne,
    )
    assert "classes" in campaign.name and "Aisne" in campaign.name
    allocations = Allocation.objects.filter(campaign=campaign)
    assert set(allocations.values_list("school_class_id", flat=True)) == world["classes"]
    assert set(allocations.values_list("status", flat=True)) == {AllocationStatus.PLANNED}
    assert result.created == 3 and result.skipped == 0
    assert [e.changes.get("affectations créées") for e in history_of(campaign)].count(3) == 1


def test_the_head_kits_of_the_plan_get_their_campaign(tree, world):
    result = create(world, include_head_kits=True, include_school_packs=True)
    kits = {c.kit.code: c for c in result.campaigns}
    assert set(kits) == {"socle-classe", "socle-direction"}  # both schools have their pack
    heads = Allocation.objects.filter(campaign=kits["socle-direction"])
    assert list(heads.values_list("school_id", "school_class_id")) == [(world["poor"].pk, None)]
    assert Allocation.objects.count() == 4


def test_a_second_submit_creates_nothing(world):
    first = create(world)
    fingerprint = first.fingerprint
    second = create(world, expected=fingerprint)
    assert second.campaigns == [] and second.created == 0 and second.skipped == 3
    assert Campaign.objects.count() == 1 and Allocation.objects.count() == 3


def test_classes_that_have_the_kit_already_are_skipped(tree, world):
    other = CampaignFactory(node=tree.laon, kit=kit("socle-classe"))
    AllocationFactory(campaign=other, school=world["poor"], school_class=world["poor_classes"][0])
    result = create(world)
    assert result.created == 2 and result.skipped == 1
    (campaign,) = result.campaigns
    assert world["poor_classes"][0].pk not in set(
        campaign.allocations.values_list("school_class_id", flat=True)
    )


def test_a_plan_that_changed_since_it_was_read_is_refused(world):
    plan = plan_for(world["envelope"].node, world["envelope"])
    fingerprint = plan_campaigns.fingerprint(plan)
    world["envelope"].amount = SOCLE_CLASS
    world["envelope"].save()
    with pytest.raises(ValidationError, match="Le plan a changé"):
        create(world, expected=fingerprint)
    assert not Campaign.objects.exists() and not Allocation.objects.exists()


def test_only_the_coordination_of_the_node_creates_it(tree, world):
    for user in (
        user_with_role(Role.COORDINATOR, tree.vdo),
        user_with_role(Role.SCHOOL_HEAD, world["poor"]),
    ):
        with pytest.raises(PermissionDenied):
            create(world, actor=user)
    assert not Campaign.objects.exists()


# --- The pages -------------------------------------------------------------------------------


def test_the_plan_page_offers_it_and_confirms_before_writing(client, world):
    client.force_login(world["coordinator"])
    envelope = world["envelope"].pk
    html = client.get(PLAN, {"envelope": envelope}).content.decode()
    assert 'id="plan-campaign-form"' in html and "Créer la campagne" in html

    response = client.post(CREATE, {"envelope": envelope, "head_kits": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Socle classe" in page and "Socle direction" in page
    assert "Confirmer et créer (4\u00a0affectations)" in html_text(page)
    assert typography_problems(html_text(page)) == []
    assert not Campaign.objects.exists()
    fingerprint = response.context["preview"].fingerprint

    confirm = {"envelope": envelope, "head_kits": "on", "fingerprint": fingerprint}
    response = client.post(CREATE, confirm, follow=True)
    campaign = Campaign.objects.get(kit__code="socle-classe")
    assert response.redirect_chain[-1][0] == reverse(
        "equipment:campaign_detail", args=[campaign.pk]
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("3\u00a0classes affectées" in m for m in shown)
    assert Campaign.objects.count() == 2 and Allocation.objects.count() == 4

    # The double submit: nothing more, and it says so.
    response = client.post(CREATE, confirm, follow=True)
    assert response.redirect_chain[-1][0] == reverse("equipment:campaign_list")
    assert any("aucune campagne" in str(m) for m in response.context["messages"])
    assert Campaign.objects.count() == 2 and Allocation.objects.count() == 4


def test_a_changed_plan_shows_the_confirmation_again_with_the_reason(client, world):
    client.force_login(world["coordinator"])
    response = client.post(CREATE, {"envelope": world["envelope"].pk, "fingerprint": "0" * 64})
    assert response.status_code == 200
    assert "Le plan a changé" in response.content.decode()
    assert not Campaign.objects.exists()


def test_who_may_not_create_it_from_the_page(client, tree, world):
    body = {"envelope": world["envelope"].pk}
    client.force_login(user_with_role(Role.COORDINATOR, tree.vdo))
    assert client.post(CREATE, body).status_code == 404
    client.force_login(user_with_role(Role.SCHOOL_HEAD, world["poor"]))
    assert client.post(CREATE, body).status_code == 403
    client.force_login(world["coordinator"])
    assert client.get(CREATE, body).status_code == 405
    assert not Campaign.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
)
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_make_one_campaign(tree, world):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=20)
            results.append(create(world))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(len(r.campaigns) for r in results) == [0, 1]
    assert Campaign.objects.count() == 1 and Allocation.objects.count() == 3
