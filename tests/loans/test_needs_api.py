"""The API of pupils and needs: a school's pupils with their declaration and priority (keyset
pages, filters, a fixed number of queries), one pupil, adding a pupil and declaring a need (the
school head, from the browser session), per grant; never a guardian's contact."""

import json

import pytest

from tests.api.clients import SessionClient, TokenClient
from tne.core.models import AuditEvent, AuditSource
from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration, Pupil

from .factories import GuardianContactFactory, PupilFactory
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db
NAME = "Philibert Marqueurapi"


@pytest.fixture
def place(tree):
    return Needs(tree)


def send(client, method, path, body):
    return getattr(client, method)(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
    )


def test_the_coordinator_lists_a_schools_pupils_with_their_priority(client, place):
    declared = place.pupil(code="E-1")
    GuardianContactFactory(pupil=declared, name=NAME, email="philibert@example.org")
    place.pupil(code="E-2", declared=False)
    api = TokenClient(client, place.coordinator)

    response = api.get(f"/loans/schools/{place.school.uai}/pupils")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["code"] for item in items] == ["E-1", "E-2"]
    first = items[0]
    assert first["level"] == {"code": "CE1", "label": "CE1"}
    assert first["class_name"] == "CE1 A" and first["school_uai"] == place.school.uai
    assert first["need"]["devices_at_home"] == {"code": "NONE", "label": "Aucun équipement"}
    assert first["priority"] == 85
    assert first["breakdown"][0] == {"label": "Aucun équipement à la maison", "points": 40}
    assert items[1]["need"] is None and items[1]["priority"] is None
    assert "Marqueurapi" not in response.content.decode()
    assert "philibert" not in response.content.decode()
    assert set(first) == {
        "id",
        "code",
        "school_uai",
        "class_id",
        "class_name",
        "level",
        "need",
        "priority",
        "breakdown",
    }


def test_the_list_filters_and_pages(client, place):
    for i in range(5):
        place.pupil(code=f"CE-{i}")
    place.pupil(place.cm, code="CM-1", level="CM2", declared=False)
    api = TokenClient(client, place.coordinator)
    path = f"/loans/schools/{place.school.uai}/pupils"

    assert [i["code"] for i in api.get(path, level="CM2").json()["items"]] == ["CM-1"]
    assert [i["code"] for i in api.get(path, declared="false").json()["items"]] == ["CM-1"]
    assert len(api.get(path, class_id=place.ce1.pk).json()["items"]) == 5
    first = api.get(path, limit=4).json()
    second = api.get(path, limit=4, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert api.get(path, level="GS").status_code == 422


def test_the_list_makes_the_same_queries_for_3_or_30_pupils(
    client, place, django_assert_num_queries
):
    api = TokenClient(client, place.coordinator)
    api.get("/me")
    path = f"/loans/schools/{place.school.uai}/pupils"
    for i in range(3):
        place.pupil(code=f"A-{i}")
    with django_assert_num_queries(5) as small:
        assert len(api.get(path, limit=500).json()["items"]) == 3
    for i in range(27):
        place.pupil(place.cm, code=f"B-{i}", level="CM1")
    with django_assert_num_queries(len(small)):
        assert len(api.get(path, limit=500).json()["items"]) == 30


def test_a_school_or_pupil_outside_the_reach_is_a_404(client, place):
    pupil = place.pupil()
    api = TokenClient(client, place.vdo_coordinator)

    assert api.get(f"/loans/schools/{place.school.uai}/pupils").status_code == 404
    assert api.get(f"/loans/pupils/{pupil.pk}").status_code == 404
    api = TokenClient(client, place.evaluator)  # the API, but not the pupils
    assert api.get(f"/loans/pupils/{pupil.pk}").status_code == 403


def test_one_pupil(client, place):
    pupil = place.pupil(code="E-7")
    api = TokenClient(client, place.ien)

    data = api.get(f"/loans/pupils/{pupil.pk}").json()

    assert (data["id"], data["code"], data["priority"]) == (pupil.pk, "E-7", 85)


def test_the_head_adds_a_pupil_with_its_declaration(client, place):
    SessionClient(client, place.head)

    response = send(
        client,
        "post",
        f"/loans/schools/{place.school.uai}/pupils",
        {
            "code": "E-50",
            "level": "CM1",
            "class_id": place.cm.pk,
            "need": {"devices_at_home": "SHARED", "shared_with": 1, "internet_at_home": "NONE"},
        },
    )

    assert response.status_code == 201, response.content
    pupil = Pupil.objects.get(code="E-50")
    assert response.json()["id"] == pupil.pk and response.json()["priority"] == 20 + 5 + 30 + 30
    assert AuditEvent.objects.filter(source=AuditSource.API).count() == 2


def test_a_refused_pupil_is_a_400_that_says_why(client, place):
    place.pupil(code="E-50")
    SessionClient(client, place.head)
    path = f"/loans/schools/{place.school.uai}/pupils"

    response = send(
        client, "post", path, {"code": "E-50", "level": "CM1", "class_id": place.ce1.pk}
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Code élève\u00a0: " in detail and "déjà le code" in detail
    assert "Niveau\u00a0: La classe CE1 A n'a pas le niveau CM1" in detail
    response = send(
        client, "post", path, {"code": "E-51", "level": "CP", "class_id": place.other_class.pk}
    )
    assert (
        response.status_code == 400
        and "n'est pas une classe de l'école" in response.json()["detail"]
    )
    assert send(client, "post", path, {"code": "E-52", "level": "CP"}).status_code == 422


def test_the_head_declares_a_need_and_an_incoherent_one_is_a_400(client, place):
    pupil = place.pupil(declared=False)
    SessionClient(client, place.head)
    path = f"/loans/pupils/{pupil.pk}/need"

    response = send(
        client,
        "put",
        path,
        {"devices_at_home": "OWN", "shared_with": 2, "internet_at_home": "FIXED"},
    )
    assert response.status_code == 400
    assert "Partagé avec\u00a0: À laisser vide" in response.json()["detail"]

    response = send(client, "put", path, {"devices_at_home": "OWN", "internet_at_home": "FIXED"})

    assert response.status_code == 200
    need = NeedDeclaration.objects.get(pupil=pupil)
    assert (need.devices_at_home, need.internet_at_home) == (HomeDevices.OWN, HomeInternet.FIXED)
    assert response.json()["priority"] == 30  # REP+ 20 and IPS 85 under 90: 10


def test_only_the_head_of_the_school_writes(client, place):
    pupil = place.pupil()
    stranger = PupilFactory(school=place.other_school, code="B-1", level="CP")
    body = {"devices_at_home": "NONE", "internet_at_home": "NONE"}

    api = TokenClient(client, place.coordinator)
    response = client.put(
        f"/api/v1/loans/pupils/{pupil.pk}/need",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw}"},
    )
    assert response.status_code == 403
    SessionClient(client, place.head)
    assert send(client, "put", f"/loans/pupils/{stranger.pk}/need", body).status_code == 404
    assert (
        send(
            client,
            "post",
            f"/loans/schools/{place.other_school.uai}/pupils",
            {"code": "X", "level": "CP", "class_id": place.other_class.pk},
        ).status_code
        == 404
    )
    assert not NeedDeclaration.objects.filter(pupil=stranger).exists()
