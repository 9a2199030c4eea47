"""The scan-speed screen: a scanned tag (or serial) shows the device and its state buttons as
an htmx fragment; a button changes the state and the fragment comes back with the field empty
and autofocused for the next device; a foreign tag is « not found », a foreign id a 404."""

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.equipment.enums import AssetEventKind, AssetState
from tne.equipment.models import Asset, AssetEvent

from .asset_factories import at_school, school_in

HTMX = {"HX-Request": "true", "HX-Target": "scan-zone", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def tech(tree):
    return user_with_role(Role.TECHNICIAN, tree.aisne)


def test_the_full_page_has_one_autofocused_field(client, tech):
    client.force_login(tech)
    html = client.get(reverse("equipment:scan")).content.decode()
    assert html.count("autofocus") == 1 and 'name="code"' in html
    assert 'name="viewport" content="width=device-width' in html  # fits a 375 px phone


def test_a_scan_shows_the_device_then_a_button_changes_its_state_and_clears_the_field(
    client, tree, tech
):
    asset = at_school(school_in(tree.laon), asset_tag="TNE-SCAN-1", state=AssetState.ALLOCATED)
    client.force_login(tech)

    fragment = client.get(reverse("equipment:scan"), {"code": "tne-scan-1"}, headers=HTMX)
    html = fragment.content.decode()
    assert "<html" not in html and "TNE-SCAN-1" in html
    assert f'value="{AssetState.INSTALLED}"' in html and 'hx-post="' in html
    assert f'value="{AssetState.LENT}"' not in html  # a hand-over is its own page

    done = client.post(
        reverse("equipment:scan"),
        {"asset": asset.pk, "etat": AssetState.INSTALLED},
        headers=HTMX,
    ).content.decode()
    assert "<html" not in done
    assert "TNE-SCAN-1\u00a0: Affecté → Installé" in done
    assert 'value="" autofocus' in done
    assert Asset.objects.get(pk=asset.pk).state == AssetState.INSTALLED
    assert AssetEvent.objects.get(asset=asset).kind == AssetEventKind.STATE


def test_a_serial_number_is_found_too_and_an_unknown_tag_says_so(client, tree, tech):
    at_school(school_in(tree.laon), asset_tag="TNE-SCAN-2", serial_number="PF3XYZ")
    foreign = at_school(school_in(tree.cergy), asset_tag="TNE-VDO-9")
    client.force_login(tech)

    assert (
        "TNE-SCAN-2"
        in client.get(reverse("equipment:scan"), {"code": "pf3xyz"}, headers=HTMX).content.decode()
    )
    missing = client.get(reverse("equipment:scan"), {"code": "TNE-VDO-9"}, headers=HTMX)
    assert (
        "Aucun matériel de votre périmètre n&#x27;a le numéro TNE-VDO-9."
        in missing.content.decode()
    )
    posted = client.post(
        reverse("equipment:scan"), {"asset": foreign.pk, "etat": AssetState.IN_REPAIR}, headers=HTMX
    )
    assert posted.status_code == 404


def test_a_refused_change_is_said_and_changes_nothing(client, tree, tech):
    asset = at_school(school_in(tree.laon), state=AssetState.RETIRED)
    client.force_login(tech)
    html = client.post(
        reverse("equipment:scan"), {"asset": asset.pk, "etat": AssetState.IN_STOCK}, headers=HTMX
    ).content.decode()
    assert "ne peut pas passer de" in html
    assert Asset.objects.get(pk=asset.pk).state == AssetState.RETIRED


def test_a_school_head_sees_the_device_without_buttons(client, tree):
    school = school_in(tree.laon)
    at_school(school, asset_tag="TNE-SCAN-3")
    client.force_login(user_with_role(Role.SCHOOL_HEAD, school))
    html = client.get(
        reverse("equipment:scan"), {"code": "TNE-SCAN-3"}, headers=HTMX
    ).content.decode()
    assert "TNE-SCAN-3" in html and "scan-states" not in html
