"""The pages of the asset register for each role: a technician of Aisne reads and manages
Aisne's devices (never Val-d'Oise's: 404), a school head reads their school's and reports its
incidents, a local authority reads the devices in its buildings, a parent gets 403, a person
with two roles manages only where their technician role reaches. Filters, prefix search, keyset
pages, exports, bulk change, incidents; the list and the device page make a fixed number of
queries however many rows there are."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import Role, grant, user_with_role
from tne.equipment.enums import AssetState, IncidentKind, IncidentStatus
from tne.equipment.models import Asset, AssetEvent, Incident
from tne.equipment.services import assets as services

from .asset_factories import at_school, class_of, in_stock, school_in
from .factories import DeviceModelFactory, category

S = AssetState


@pytest.fixture
def places(tree):
    laon = school_in(tree.laon, uai="0021001A")
    soissons = school_in(tree.soissons, uai="0021002B")
    cergy = school_in(tree.cergy, uai="0951001C")
    return {"laon": laon, "soissons": soissons, "cergy": cergy}


@pytest.fixture
def devices(tree, places):
    return {
        "laon": at_school(places["laon"], asset_tag="TNE-02-0001", serial_number="LAON-SN-1"),
        "soissons": at_school(
            places["soissons"], asset_tag="TNE-02-0002", serial_number="SOI-SN-2"
        ),
        "stock02": in_stock(tree.aisne, asset_tag="TNE-02-0003", serial_number="STK-SN-3"),
        "cergy": at_school(places["cergy"], asset_tag="TNE-95-0001", serial_number="CERGY-SN-1"),
        "stock95": in_stock(tree.vdo, asset_tag="TNE-95-0002", serial_number="STK95-SN-2"),
    }


def listed(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("equipment:asset_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def tags_in(html):
    return {
        tag
        for tag in ("TNE-02-0001", "TNE-02-0002", "TNE-02-0003", "TNE-95-0001", "TNE-95-0002")
        if tag in html
    }


def test_a_technician_of_aisne_reads_aisne_only_and_a_foreign_device_is_a_404(
    client, tree, devices
):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)

    assert tags_in(listed(client, tech)) == {"TNE-02-0001", "TNE-02-0002", "TNE-02-0003"}
    assert (
        client.get(reverse("equipment:asset_detail", args=[devices["laon"].pk])).status_code == 200
    )
    for key in ("cergy", "stock95"):
        pk = devices[key].pk
        assert client.get(reverse("equipment:asset_detail", args=[pk])).status_code == 404
        response = client.post(reverse("equipment:asset_state", args=[pk]), {"etat": S.IN_REPAIR})
        assert response.status_code == 404
    assert Asset.objects.get(pk=devices["cergy"].pk).state == S.INSTALLED


def test_a_school_head_reads_their_school_reports_but_does_not_manage(
    client, tree, places, devices
):
    head = user_with_role(Role.SCHOOL_HEAD, places["laon"])

    assert tags_in(listed(client, head)) == {"TNE-02-0001"}
    detail = client.get(
        reverse("equipment:asset_detail", args=[devices["laon"].pk])
    ).content.decode()
    assert reverse("equipment:incident_create", args=[devices["laon"].pk]) in detail
    assert reverse("equipment:asset_state", args=[devices["laon"].pk]) not in detail
    response = client.post(
        reverse("equipment:asset_state", args=[devices["laon"].pk]), {"etat": S.IN_REPAIR}
    )
    assert response.status_code == 403
    assert client.get(reverse("equipment:asset_create")).status_code == 403


def test_a_local_authority_reads_the_devices_of_its_buildings(client, tree, places, devices):
    commune = user_with_role(Role.LOCAL_AUTHORITY, tree.laon)
    assert tags_in(listed(client, commune)) == {"TNE-02-0001"}


def test_a_parent_gets_403(client, tree, places, devices):
    parent = user_with_role(Role.PARENT, places["laon"])
    client.force_login(parent)
    assert client.get(reverse("equipment:asset_list")).status_code == 403
    assert client.get(reverse("equipment:scan")).status_code == 403


def test_two_roles_do_not_lend_each_other_their_reach(client, tree, places, devices):
    """School head in Laon, technician in Val-d'Oise: manages Cergy's device, reads but does not
    manage Laon's."""
    person = user_with_role(Role.SCHOOL_HEAD, places["laon"])
    grant(person, Role.TECHNICIAN, tree.vdo)
    client.force_login(person)

    assert tags_in(listed(client, person)) == {"TNE-02-0001", "TNE-95-0001", "TNE-95-0002"}
    url = reverse("equipment:asset_state", args=[devices["laon"].pk])
    assert client.post(url, {"etat": S.IN_REPAIR}).status_code == 403
    url = reverse("equipment:asset_state", args=[devices["cergy"].pk])
    assert client.post(url, {"etat": S.IN_REPAIR}).status_code == 302
    assert Asset.objects.get(pk=devices["cergy"].pk).state == S.IN_REPAIR
    # Reports an incident at their school, not at Cergy (REPORT_INCIDENT of a technician
    # reaches Val-d'Oise, so both are allowed; the school head's reach is Laon).
    assert (
        client.get(reverse("equipment:incident_create", args=[devices["laon"].pk])).status_code
        == 200
    )


def test_filters_and_a_case_insensitive_prefix_search(client, tree, places, devices):
    national = user_with_role(Role.NATIONAL, tree.country)
    devices["laon"].model = DeviceModelFactory(category=category("tablet"))
    devices["laon"].save()

    assert tags_in(listed(client, national, q="tne-95")) == {"TNE-95-0001", "TNE-95-0002"}
    assert tags_in(listed(client, national, q="laon-sn")) == {"TNE-02-0001"}
    assert tags_in(listed(client, national, etat=S.IN_STOCK)) == {"TNE-02-0003", "TNE-95-0002"}
    assert tags_in(listed(client, national, ecole="0951001c")) == {"TNE-95-0001"}
    assert tags_in(listed(client, national, ecole=str(places["soissons"].pk))) == {"TNE-02-0002"}
    assert tags_in(listed(client, national, categorie=category("tablet").pk)) == {"TNE-02-0001"}
    assert tags_in(listed(client, national, modele=devices["cergy"].model_id)) == {"TNE-95-0001"}
    html = listed(client, national, q="ZZZ")
    assert "Aucun matériel pour ces critères" in html


def test_keyset_pages_by_tag_forwards_and_back(client, tree, places):
    national = user_with_role(Role.NATIONAL, tree.country)
    for n in range(120):
        at_school(places["laon"], asset_tag=f"K-{n:04d}", serial_number=f"KS{n}")

    first = listed(client, national)
    assert "K-0000" in first and "K-0049" in first and "K-0050" not in first
    second = listed(client, national, apres="K-0049")
    assert "K-0050" in second and "K-0099" in second and "K-0049" not in second
    third = listed(client, national, apres="K-0099")
    assert "K-0119" in third and 'id="next-page"' not in third
    back = listed(client, national, avant="K-0050")
    assert "K-0000" in back and "K-0049" in back and "K-0050" not in back


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_makes_a_fixed_number_of_queries(
    client, tree, places, django_assert_max_num_queries
):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    url = reverse("equipment:asset_list")
    for n in range(5):
        at_school(places["laon"], asset_tag=f"Q-{n:03d}", school_class=class_of(places["laon"]))
    small = _queries(client, url)
    for n in range(5, 80):
        at_school(
            places["soissons"], asset_tag=f"Q-{n:03d}", school_class=class_of(places["soissons"])
        )
        in_stock(tree.aisne, asset_tag=f"QS-{n:03d}")
    assert _queries(client, url) == small
    with django_assert_max_num_queries(12):
        client.get(url, {"q": "q-0", "etat": S.INSTALLED})


def test_the_device_page_makes_a_fixed_number_of_queries(client, tree, places):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    asset = at_school(places["laon"], state=S.INSTALLED)
    services.set_state(actor=tech, asset=asset, state=S.IN_REPAIR)
    url = reverse("equipment:asset_detail", args=[asset.pk])
    small = _queries(client, url)
    for _ in range(10):
        services.mark_repaired(actor=tech, asset=asset)
        services.report_incident(
            actor=tech, asset=asset, kind=IncidentKind.BREAKDOWN, description="Panne"
        )
        services.send_to_repair(actor=tech, incident=Incident.objects.open().get(asset=asset))
    assert AssetEvent.objects.filter(asset=asset).count() > 20
    assert _queries(client, url) == small


def test_the_exports_hold_the_filtered_list_of_the_scope(client, tree, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)

    response = client.get(reverse("equipment:asset_export", args=["csv"]), {"etat": S.INSTALLED})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Numéro d'inventaire", "Numéro de série"]
    assert sorted(r[0] for r in rows[1:]) == ["TNE-02-0001", "TNE-02-0002"]

    response = client.get(reverse("equipment:asset_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "TNE-02-0001",
        "TNE-02-0002",
        "TNE-02-0003",
    ]
    assert client.get(reverse("equipment:asset_export", args=["pdf"])).status_code == 404


def test_a_bulk_change_asks_for_confirmation_then_changes_every_device(client, tree, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    chosen = [devices["laon"].pk, devices["soissons"].pk, devices["cergy"].pk]  # Cergy: not theirs
    url = reverse("equipment:asset_bulk")

    page = client.post(url, {"asset": chosen, "etat": S.IN_REPAIR}).content.decode()
    assert "TNE-02-0001" in page and "TNE-95-0001" not in page
    assert not AssetEvent.objects.exists()

    response = client.post(url, {"asset": chosen, "etat": S.IN_REPAIR, "confirmer": "1"})
    assert response.status_code == 302
    states = dict(Asset.objects.values_list("asset_tag", "state"))
    assert states["TNE-02-0001"] == states["TNE-02-0002"] == S.IN_REPAIR
    assert states["TNE-95-0001"] == S.INSTALLED


def test_retiring_goes_through_a_confirmation_page(client, tree, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    url = reverse("equipment:asset_state", args=[devices["laon"].pk])

    page = client.get(url, {"etat": S.RETIRED}).content.decode()
    assert "passera de «&nbsp;Installé&nbsp;» à «&nbsp;Réformé&nbsp;»" in page
    assert client.get(url, {"etat": S.LENT}).status_code == 404
    client.post(url, {"etat": S.RETIRED, "note": "Hors d'usage"})
    assert Asset.objects.get(pk=devices["laon"].pk).state == S.RETIRED


def test_the_incident_exports_hold_the_scopes_incidents(client, tree, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    for key, kind in [("laon", IncidentKind.BREAKDOWN), ("cergy", IncidentKind.THEFT)]:
        services.report_incident(
            actor=user_with_role(Role.TECHNICIAN, devices[key].school.departement),
            asset=devices[key],
            kind=kind,
            description=f"Incident {key}",
        )
    client.force_login(tech)
    assert (
        reverse("equipment:incident_export", args=["csv"])
        in client.get(reverse("equipment:incident_list")).content.decode()
    )

    response = client.get(reverse("equipment:incident_export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Signalé le", "Nature", "Suivi", "Numéro d'inventaire"]
    assert [(r[1], r[3], r[8]) for r in rows[1:]] == [("Panne", "TNE-02-0001", "Incident laon")]

    response = client.get(reverse("equipment:incident_export", args=["xlsx"]), {"tous": "1"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["TNE-02-0001"]
    assert client.get(reverse("equipment:incident_export", args=["pdf"])).status_code == 404


def test_an_incident_from_report_to_repair_through_the_pages(client, tree, places, devices):
    head = user_with_role(Role.SCHOOL_HEAD, places["laon"])
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    asset = devices["laon"]
    client.force_login(head)
    response = client.post(
        reverse("equipment:incident_create", args=[asset.pk]),
        {"kind": IncidentKind.BREAKDOWN, "description": "L'écran reste noir"},
    )
    incident = Incident.objects.get(asset=asset)
    assert response.url == reverse("equipment:incident_detail", args=[incident.pk])
    assert "Suite à donner" not in client.get(response.url).content.decode()
    assert client.post(reverse("equipment:incident_repair", args=[incident.pk])).status_code == 403

    client.force_login(tech)
    assert "TNE-02-0001" in client.get(reverse("equipment:incident_list")).content.decode()
    client.post(reverse("equipment:incident_repair", args=[incident.pk]))
    assert Asset.objects.get(pk=asset.pk).state == S.IN_REPAIR
    client.post(reverse("equipment:asset_repaired", args=[asset.pk]))
    incident.refresh_from_db()
    assert Asset.objects.get(pk=asset.pk).state == S.INSTALLED
    assert incident.status == IncidentStatus.CLOSED


def test_a_swap_through_the_page_takes_a_spare_from_the_stock(client, tree, places, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    incident = services.report_incident(
        actor=tech, asset=devices["laon"], kind=IncidentKind.DAMAGE, description="Chute"
    )
    url = reverse("equipment:incident_swap", args=[incident.pk])

    foreign = client.post(url, {"replacement": "tne-95-0002", "old_state": S.IN_REPAIR})
    assert "Aucun matériel que vous gérez" in foreign.content.decode()
    client.post(url, {"replacement": "tne-02-0003", "old_state": S.RETIRED})

    spare = Asset.objects.get(asset_tag="TNE-02-0003")
    assert spare.school_id == places["laon"].pk and spare.state == S.INSTALLED
    assert Asset.objects.get(pk=devices["laon"].pk).state == S.RETIRED


def test_a_device_entered_by_hand(client, tree, places):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    model = DeviceModelFactory()
    url = reverse("equipment:asset_create")

    refused = client.post(
        url,
        {
            "serial_number": "x1",
            "asset_tag": "t1",
            "model": model.pk,
            "school": "0951001C",
            "state": S.INSTALLED,
        },
    )
    assert "Aucune école de votre périmètre" in refused.content.decode()
    response = client.post(
        url,
        {
            "serial_number": "x1",
            "asset_tag": "t1",
            "model": model.pk,
            "school": "0021001a",
            "state": S.INSTALLED,
        },
    )
    asset = Asset.objects.get(asset_tag="T1")
    assert response.url == reverse("equipment:asset_detail", args=[asset.pk])
    assert asset.school == places["laon"] and asset.serial_number == "X1"


def test_a_move_to_a_class_and_back_to_stock(client, tree, places, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    klass = class_of(places["laon"])
    asset = devices["laon"]
    url = reverse("equipment:asset_move", args=[asset.pk])

    client.post(url, {"school": "0021001A", "school_class": klass.pk})
    assert Asset.objects.get(pk=asset.pk).school_class_id == klass.pk
    client.post(url, {"school": "", "stock_node": tree.aisne.pk})
    asset.refresh_from_db()
    assert (asset.school_id, asset.stock_node_id, asset.state) == (None, tree.aisne.pk, S.IN_STOCK)


def test_control_characters_in_the_page_keys_or_the_scan_are_no_error(client, tree, devices):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(tech)
    assert client.get(reverse("equipment:asset_list"), {"apres": "TNE\x00"}).status_code == 200
    assert client.get(reverse("equipment:asset_list"), {"avant": "\x00"}).status_code == 200
    assert client.get(reverse("equipment:scan"), {"code": "TNE-02-0001\x00"}).status_code == 200
