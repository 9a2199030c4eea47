"""The campaign pages: a coordinator creates a campaign, previews and confirms a bulk allocation
(by commune, by school, from a CSV file), marks steps and cancels after a confirmation; a
coordinator of Val-d'Oise gets 404 on Aisne's campaign, a technician reads but does not
allocate; the lists make a fixed number of queries."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation, Campaign
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection

from .deployment_factories import assert_tallies_match, campaign_on, pilot, school_with_classes
from .factories import kit, measure


@pytest.fixture
def p(tree):
    return pilot(tree)


def text(response) -> str:
    """The page as a reader sees it: entities decoded, no-break spaces as spaces."""
    return unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.status_code
    return text(response) if status == 200 else response


def post(client, user, url, data, status=200):
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == status, response.status_code
    return response


def test_a_coordinator_creates_a_campaign_then_allocates_a_commune(client, p):
    response = post(
        client,
        p.coordinator,
        reverse("equipment:campaign_create"),
        {
            "name": "Kits hybrides — Laon",
            "measure": measure("M5").pk,
            "kit": kit("kit-hybride").pk,
            "node": p.tree.aisne.pk,
            "note": "",
        },
        status=302,
    )
    campaign = Campaign.objects.get()
    assert response.url == reverse("equipment:campaign_allocate", args=[campaign.pk])
    url = reverse("equipment:campaign_allocate", args=[campaign.pk])
    form = {"mode": "node", "by-node-node": p.tree.laon.pk}
    html = text(post(client, p.coordinator, url, form))
    assert "6 classes dans 2 écoles, 0 déjà équipée" in html
    assert not Allocation.objects.exists()
    html = text(post(client, p.coordinator, url, {**form, "confirm": "1"}))
    assert "6 affectations créées dans 2 écoles" in html
    assert Allocation.objects.count() == 6
    # Again: everything is already there, counted.
    html = text(post(client, p.coordinator, url, form))
    assert "0 classe dans 0 école, 6 déjà équipées" in html
    assert "Rien à affecter" in html
    assert_tallies_match()


def test_by_school_and_by_file(client, p):
    campaign = campaign_on(p.tree.aisne)
    url = reverse("equipment:campaign_allocate", args=[campaign.pk])
    form = {"mode": "school", "by-school-uais": f"{p.soissons.uai}, {p.cergy.uai}"}
    html = text(post(client, p.coordinator, url, form))
    assert "3 classes dans 1 école" in html and "1 école(s) choisie(s) hors" in html
    post(client, p.coordinator, url, {**form, "confirm": "1"})
    assert Allocation.objects.count() == 3
    a = p.laon[0]
    upload = SimpleUploadedFile("classes.csv", f"uai;classe\n{a.uai};CE1\n".encode())
    html = text(post(client, p.coordinator, url, {"mode": "file", "by-file-file": upload}))
    assert "1 classe dans 1 école" in html
    post(client, p.coordinator, url, {"mode": "file", "confirm": "1"})
    assert Allocation.objects.count() == 4


def test_a_file_with_errors_lists_them_and_allocates_nothing(client, p):
    campaign = campaign_on(p.tree.aisne)
    url = reverse("equipment:campaign_allocate", args=[campaign.pk])
    upload = SimpleUploadedFile("classes.csv", b"uai;classe\n0020000X;CE1\n")
    html = text(post(client, p.coordinator, url, {"mode": "file", "by-file-file": upload}))
    assert "Le fichier est refusé" in html and "ligne 2" in html and "aucune école" in html
    assert not Allocation.objects.exists()


def test_the_campaign_page_counts_steps_and_marks_them(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    ids = list(Allocation.objects.order_by("pk").values_list("pk", flat=True))
    url = reverse("equipment:campaign_detail", args=[campaign.pk])
    html = get(client, p.technician, url)
    assert "Marquer livrées" in html and "Affecter le kit" not in html
    assert f"/equipement/campagnes/{campaign.pk}/commander/" not in html  # No ORDER.
    step = reverse("equipment:campaign_step", args=[campaign.pk, "delivered"])
    post(client, p.technician, step, {"allocation": ids[:2], "on": "2026-11-02"}, status=302)
    assert Allocation.objects.filter(status=AllocationStatus.DELIVERED).count() == 2
    assert Allocation.objects.get(pk=ids[0]).delivered_on == datetime.date(2026, 11, 2)
    html = get(client, p.coordinator, url)
    assert f"/equipement/campagnes/{campaign.pk}/commander/" in html
    assert "Affecter le kit" in html
    assert_tallies_match()


def test_the_order_button_goes_once_nothing_is_left_to_order(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    url = reverse("equipment:campaign_detail", args=[campaign.pk])
    order = f"/equipement/campagnes/{campaign.pk}/commander/"
    assert order in get(client, p.coordinator, url)

    Allocation.objects.update(status=AllocationStatus.ORDERED)

    assert order not in get(client, p.coordinator, url)


def test_cancel_asks_for_confirmation(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(p.soissons.pk,)), actor=p.coordinator
    )
    ids = list(Allocation.objects.values_list("pk", flat=True))
    url = reverse("equipment:campaign_cancel", args=[campaign.pk])
    html = text(post(client, p.coordinator, url, {"allocation": ids}))
    assert "Ces 3 affectations seront annulées" in html
    assert not Allocation.objects.filter(status=AllocationStatus.CANCELLED).exists()
    post(client, p.coordinator, url, {"allocation": ids, "confirm": "1"}, status=302)
    assert Allocation.objects.filter(status=AllocationStatus.CANCELLED).count() == 3
    post(client, p.technician, url, {"allocation": ids}, status=403)


def test_val_doise_gets_404_on_aisnes_campaign_and_its_steps(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    ids = list(Allocation.objects.values_list("pk", flat=True))
    for name in ("campaign_detail", "campaign_allocate"):
        get(client, p.vdo_coordinator, reverse(f"equipment:{name}", args=[campaign.pk]), 404)
    step = reverse("equipment:campaign_step", args=[campaign.pk, "delivered"])
    post(client, p.vdo_coordinator, step, {"allocation": ids, "on": "2026-11-02"}, status=404)
    html = get(client, p.vdo_coordinator, reverse("equipment:campaign_list"))
    assert campaign.name not in html
    assert not Allocation.objects.exclude(status=AllocationStatus.PLANNED).exists()


def test_a_school_head_sees_the_campaign_of_their_school_and_only_its_allocations(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.aisne), actor=p.coordinator
    )
    head = user_with_role(Role.SCHOOL_HEAD, p.soissons)
    html = get(client, head, reverse("equipment:campaign_detail", args=[campaign.pk]))
    assert p.soissons.name in html and p.laon[0].name not in html
    assert "Marquer livrées" not in html and "Annuler…" not in html
    html = get(client, head, reverse("equipment:allocation_list"))
    assert p.soissons.uai in html and p.laon[0].uai not in html
    get(client, head, reverse("equipment:campaign_create"), 403)


def test_a_parent_gets_403(client, p):
    parent = user_with_role(Role.PARENT, p.soissons)
    get(client, parent, reverse("equipment:campaign_list"), 403)
    get(client, parent, reverse("equipment:allocation_list"), 403)


def test_exports_carry_the_filtered_allocations(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.aisne), actor=p.coordinator
    )
    client.force_login(p.coordinator)
    url = reverse("equipment:campaign_export", args=[campaign.pk, "csv"])
    response = client.get(url, {"school": p.soissons.uai})
    text = b"".join(response.streaming_content).decode()
    assert text.count("\r\n") == 4 and p.soissons.uai in text and p.laon[0].uai not in text
    response = client.get(reverse("equipment:allocation_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("equipment:allocation_export", args=["pdf"])).status_code == 404


def grow(p, campaign, n):
    for _ in range(n):
        school, _ = school_with_classes(p.tree.laon, circonscription=p.tree.circ_laon)
        deployments.allocate(
            campaign=campaign, selection=Selection(school_ids=(school.pk,)), actor=p.coordinator
        )


@pytest.mark.parametrize("name", ["campaign_detail", "allocation_list", "campaign_list"])
def test_the_lists_make_a_fixed_number_of_queries(client, p, name, django_assert_max_num_queries):
    campaign = campaign_on(p.tree.aisne)
    grow(p, campaign, 2)
    args = [campaign.pk] if name == "campaign_detail" else []
    url = reverse(f"equipment:{name}", args=args)
    client.force_login(p.coordinator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(p, campaign, 6)
    for _ in range(3):
        campaign_on(p.tree.aisne)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)


def test_a_local_authority_reads_the_allocations_of_its_buildings_only(client, p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.aisne), actor=p.coordinator
    )
    commune = user_with_role(Role.LOCAL_AUTHORITY, p.tree.laon)
    html = get(client, commune, reverse("equipment:allocation_list"))
    assert all(s.uai in html for s in p.laon) and p.soissons.uai not in html
    html = get(client, commune, reverse("equipment:campaign_detail", args=[campaign.pk]))
    assert p.laon[0].uai in html and p.soissons.uai not in html
    assert "Marquer livrées" not in html and "Affecter le kit" not in html
    get(client, commune, reverse("equipment:campaign_allocate", args=[campaign.pk]), 403)
