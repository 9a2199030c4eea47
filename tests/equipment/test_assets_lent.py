"""A device lent to a pupil's family (``LENT``) changes only through the loans' lifecycle: the
register's services (state, bulk state, move, loss or theft, swap), its pages and its API refuse
to move it in or out of ``LENT`` without ``loan_lifecycle=True``, with the French sentence
« Ce matériel est prêté : son retour se fait au guichet des prêts. »; a device back from a repair
is in stock, never lent again by itself."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.api.clients import TokenClient
from tests.factories import Role, user_with_role
from tne.equipment.enums import AssetState, IncidentKind
from tne.equipment.models import Asset, AssetEvent
from tne.equipment.services import assets as services

from .asset_factories import at_school, in_stock, school_in

pytestmark = pytest.mark.django_db

S = AssetState
LENT_SENTENCE = "Ce matériel est prêté\u00a0: son retour se fait au guichet des prêts."


@pytest.fixture
def tech(tree):
    return user_with_role(Role.TECHNICIAN, tree.aisne)


@pytest.fixture
def lent(tree):
    return at_school(school_in(tree.laon), state=S.LENT, asset_tag="TNE-PRET-1")


def unchanged(asset) -> bool:
    fresh = Asset.objects.get(pk=asset.pk)
    return (fresh.state, fresh.school_id, fresh.stock_node_id) == (
        S.LENT,
        asset.school_id,
        None,
    ) and not AssetEvent.objects.filter(asset=asset).exists()


@pytest.mark.parametrize("state", [S.IN_STOCK, S.IN_REPAIR, S.LOST, S.INSTALLED])
def test_setting_the_state_of_a_lent_device_is_refused(tech, lent, state):
    with pytest.raises(ValidationError) as caught:
        services.set_state(actor=tech, asset=lent, state=state)

    assert caught.value.messages == [LENT_SENTENCE]
    assert unchanged(lent)


def test_the_loans_lifecycle_may_set_it_back_in_stock(tech, lent):
    services.set_state(actor=tech, asset=lent, state=S.IN_STOCK, loan_lifecycle=True)

    assert Asset.objects.get(pk=lent.pk).state == S.IN_STOCK


def test_lending_is_the_loans_counters_only(tech, tree):
    asset = at_school(school_in(tree.laon), state=S.IN_STOCK)

    with pytest.raises(ValidationError, match="au guichet des prêts, avec sa convention"):
        services.set_state(actor=tech, asset=asset, state=S.LENT)

    services.set_state(actor=tech, asset=asset, state=S.LENT, loan_lifecycle=True)
    assert Asset.objects.get(pk=asset.pk).state == S.LENT


def test_a_bulk_change_names_the_lent_device_and_changes_nothing(tech, tree, lent):
    other = at_school(lent.school)

    with pytest.raises(ValidationError) as caught:
        services.bulk_set_state(actor=tech, assets=[lent, other], state=S.IN_REPAIR)

    assert caught.value.messages == [f"TNE-PRET-1\u00a0: {LENT_SENTENCE}"]
    assert Asset.objects.get(pk=other.pk).state == S.INSTALLED and unchanged(lent)


def test_a_lent_device_is_not_moved(tech, tree, lent):
    with pytest.raises(ValidationError) as caught:
        services.move(actor=tech, asset=lent, stock_node=tree.aisne)

    assert caught.value.messages == [LENT_SENTENCE] and unchanged(lent)


@pytest.mark.parametrize("kind", [IncidentKind.LOSS, IncidentKind.THEFT])
def test_its_loss_or_theft_is_declared_on_its_loan(tech, lent, kind):
    with pytest.raises(ValidationError) as caught:
        services.report_incident(actor=tech, asset=lent, kind=kind, description="Disparu")

    assert caught.value.messages == [LENT_SENTENCE] and unchanged(lent)
    assert not lent.incidents.exists()


def test_a_breakdown_of_a_lent_device_is_reported_but_not_swapped(tech, tree, lent):
    incident = services.report_incident(
        actor=tech, asset=lent, kind=IncidentKind.BREAKDOWN, description="Ne s'allume plus"
    )
    assert Asset.objects.get(pk=lent.pk).state == S.LENT

    with pytest.raises(ValidationError) as caught:
        services.send_to_repair(actor=tech, incident=incident)
    assert caught.value.messages == [LENT_SENTENCE]
    with pytest.raises(ValidationError) as swapped:
        services.swap(actor=tech, incident=incident, replacement=in_stock(tree.aisne))
    assert swapped.value.messages == [LENT_SENTENCE]
    assert Asset.objects.get(pk=lent.pk).state == S.LENT


def test_a_device_once_lent_comes_back_from_repair_in_stock(tech, lent):
    services.set_state(actor=tech, asset=lent, state=S.IN_REPAIR, loan_lifecycle=True)

    services.mark_repaired(actor=tech, asset=lent)

    assert Asset.objects.get(pk=lent.pk).state == S.IN_STOCK


def test_the_device_page_offers_no_state_nor_move_and_says_why(client, tech, lent):
    client.force_login(tech)

    html = client.get(reverse("equipment:asset_detail", args=[lent.pk])).content.decode()

    assert 'id="asset-lent"' in html and "son retour se fait au guichet des prêts" in html
    assert reverse("equipment:asset_state", args=[lent.pk]) not in html
    assert reverse("equipment:asset_move", args=[lent.pk]) not in html
    assert client.get(reverse("equipment:asset_move", args=[lent.pk])).status_code == 403


def test_the_pages_and_the_api_refuse_the_change_in_french(client, tech, lent):
    client.force_login(tech)

    response = client.post(
        reverse("equipment:asset_state", args=[lent.pk]), {"etat": S.IN_STOCK}, follow=True
    )
    assert "son retour se fait au guichet des prêts" in response.content.decode()
    scanned = client.post(reverse("equipment:scan"), {"asset": lent.pk, "etat": S.IN_STOCK})
    assert "son retour se fait au guichet des prêts" in scanned.content.decode()
    api = TokenClient(client, tech)
    answer = client.post(
        f"/api/v1/equipment/assets/{lent.pk}/state",
        {"state": S.IN_STOCK},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw}"},
    )
    assert answer.status_code == 409 and answer.json()["detail"] == LENT_SENTENCE
    assert unchanged(lent)
