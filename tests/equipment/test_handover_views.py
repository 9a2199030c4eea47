"""M7 pages: the new teachers in scope (names only where people may be read), a teacher's page
with what they still hold, the allocation, hand-over and return forms, the receipts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import Role, StaffFactory, user_with_role
from tne.equipment.enums import AllocationStatus, AssetState
from tne.equipment.models import Allocation, Handover
from tne.equipment.services import handovers

from .factories import AssetFactory, price_kits
from .signoff_factories import Place

LIST = reverse("equipment:teacher_list")
KIT = ("laptop", "webcam", "microphone")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(tree):
    return Place(tree)


@pytest.fixture
def teacher(place):
    return StaffFactory(
        school=place.school, is_new_teacher=True, first_name="Julie", last_name="Moreau"
    )


def stock(tree):
    models = price_kits()
    return [
        AssetFactory(model=models[code], stock_node=tree.aisne, state=AssetState.IN_STOCK)
        for code in KIT
    ]


def url(name, staff):
    return reverse(f"equipment:{name}", args=[staff.pk])


def test_the_head_lists_the_new_teachers_of_their_school(client, place, teacher):
    StaffFactory(school=place.school, is_new_teacher=False, last_name="Ancien")
    elsewhere = StaffFactory(school=place.other_school, is_new_teacher=True, last_name="Ailleurs")
    client.force_login(place.head)
    html = client.get(LIST).content.decode()
    assert f'id="teacher-{teacher.pk}"' in html and "Moreau" in html and "Sans kit" in html
    assert "Ancien" not in html and f'id="teacher-{elsewhere.pk}"' not in html


def test_the_local_authority_does_not_read_the_teachers(client, place, teacher):
    client.force_login(place.laon_officer)  # equipment, but no names of people
    assert client.get(LIST).status_code == 403
    assert client.get(url("teacher_detail", teacher)).status_code == 403


def test_the_list_filters_and_exports(client, place, teacher):
    other = StaffFactory(school=place.school, is_new_teacher=True, last_name="Bernard")
    handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    client.force_login(place.head)
    html = client.get(LIST, {"step": "waiting"}).content.decode()
    assert f'id="teacher-{teacher.pk}"' in html and f'id="teacher-{other.pk}"' not in html
    html = client.get(LIST, {"q": "Bernard"}).content.decode()
    assert f'id="teacher-{other.pk}"' in html and f'id="teacher-{teacher.pk}"' not in html
    response = client.get(reverse("equipment:teacher_export", args=["csv"]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "Nom;Prénom;UAI;École;Commune;Équipement" and len(lines) == 3
    assert any(line.startswith("Moreau;Julie") and line.endswith("Prévue") for line in lines)
    response = client.get(reverse("equipment:teacher_export", args=["xlsx"]))
    assert response.status_code == 200


def test_the_list_holds_its_query_budget(client, place, teacher):
    client.force_login(place.coordinator)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    for n in range(8):
        staff = StaffFactory(school=place.other_school, is_new_teacher=True)
        if n % 2:
            handovers.allocate_kit(staff_id=staff.pk, actor=place.coordinator)
    with CaptureQueriesContext(connection) as large:
        assert client.get(LIST).status_code == 200
    assert len(large) == len(small) <= 8


def test_the_whole_journey_allocate_hand_over_return(client, place, teacher, tree):
    client.force_login(place.head)
    page = client.get(url("teacher_detail", teacher)).content.decode()
    assert url("teacher_allocate", teacher) in page and "Aucun matériel" in page
    assert client.post(url("teacher_allocate", teacher)).status_code == 302
    allocation = Allocation.objects.get(staff=teacher)
    assert client.get(url("teacher_handover", teacher)).status_code == 200
    devices = stock(tree)
    response = client.post(
        url("teacher_handover", teacher),
        {"tags": devices[0].asset_tag, "typed_name": "Julie Moreau", "consent": "on"},
    )
    assert response.status_code == 200 and "Il manque au kit" in response.content.decode()
    tags = "\n".join(d.asset_tag for d in devices)
    response = client.post(
        url("teacher_handover", teacher),
        {"tags": tags, "typed_name": "Julie Moreau", "consent": "on"},
    )
    assert response.status_code == 302
    page = client.get(url("teacher_detail", teacher)).content.decode()
    for device in devices:
        assert device.asset_tag in page
    handover = Handover.objects.get()
    receipt = reverse("equipment:teacher_receipt", args=[handover.pk])
    assert receipt in page
    response = client.get(receipt)
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(url("teacher_return", teacher))
    assert response.status_code == 200
    fields = {f"outcome_{d.pk}": "GOOD" for d in devices}
    response = client.post(url("teacher_return", teacher), {**fields, "typed_name": "Julie Moreau"})
    assert response.status_code == 200  # the consent is missing
    response = client.post(
        url("teacher_return", teacher), {**fields, "typed_name": "Julie Moreau", "consent": "on"}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.RETURNED
    page = client.get(url("teacher_detail", teacher)).content.decode()
    assert "Aucun matériel n'est à son nom" in page and page.count("reçu signé (PDF)") == 2


def test_who_may_not(client, place, teacher, tree):
    handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    for outsider in (place.other_head, place.cergy_head):
        client.force_login(outsider)
        assert client.get(url("teacher_detail", teacher)).status_code == 404
        assert client.post(url("teacher_handover", teacher)).status_code == 404
    ien = user_with_role(Role.IEN_ERUN, tree.circ_laon)
    client.force_login(ien)  # reads people and equipment, does not hand over
    place.school.circonscription = tree.circ_laon
    place.school.save()
    response = client.get(url("teacher_detail", teacher))
    assert response.status_code == 200
    assert client.get(url("teacher_handover", teacher)).status_code == 403
    assert client.post(url("teacher_allocate", teacher)).status_code == 403


def test_a_receipt_is_read_only_by_readers_of_the_teacher(client, place, teacher, tree):
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    handover = handovers.hand_over(
        allocation_id=allocation.pk,
        actor=place.head,
        tags=[d.asset_tag for d in stock(tree)],
        typed_name="Julie Moreau",
    )
    receipt = reverse("equipment:teacher_receipt", args=[handover.pk])
    client.force_login(place.coordinator)
    assert client.get(receipt).status_code == 200
    for outsider in (place.other_head, place.laon_officer):
        client.force_login(outsider)
        assert client.get(receipt).status_code in (403, 404)
