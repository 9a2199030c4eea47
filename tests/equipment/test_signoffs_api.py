"""The sign-offs API: the sign-offs of the installations the caller reads, with the report's
hash; nothing from another place."""

import pytest

from tests.api.clients import SessionClient, TokenClient
from tne.equipment.services import signoffs

from .signoff_factories import Place, installed


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_lists_the_sign_offs_in_scope(client, tree):
    place = Place(tree)
    allocation = installed(place.school)
    school_signoff = signoffs.decide_installation(
        allocation_id=allocation.pk, actor=place.head, accept=True, typed_name="Anne Martin"
    )
    signoffs.cosign_installation(
        allocation_id=allocation.pk, actor=place.laon_officer, typed_name="Luc Bernard"
    )
    foreign = installed(place.cergy_school)
    signoffs.decide_installation(
        allocation_id=foreign.pk,
        actor=place.cergy_head,
        accept=False,
        typed_name="X Y",
        remarks="Non conforme",
    )
    body = SessionClient(client, place.laon_officer).get("/equipment/signoffs").json()
    items = body["items"]
    assert [(i["allocation_id"], i["party"]["code"]) for i in items] == [
        (allocation.pk, "SCHOOL"),
        (allocation.pk, "AUTHORITY"),
    ]
    assert items[0]["report_sha256"] == school_signoff.report.sha256
    assert items[0]["signed_by"] == "Anne Martin" and items[0]["school_uai"] == place.school.uai
    api = TokenClient(client, place.coordinator)
    only = api.get("/equipment/signoffs", party="AUTHORITY").json()["items"]
    assert [i["signed_by"] for i in only] == ["Luc Bernard"]
    assert SessionClient(client, place.other_head).get("/equipment/signoffs").json()["items"] == []
    refused = (
        SessionClient(client, place.cergy_officer)
        .get("/equipment/signoffs", decision="REFUSED")
        .json()["items"]
    )
    assert [i["remarks"] for i in refused] == ["Non conforme"]
    assert api.get("/equipment/signoffs", party="NOPE").status_code == 422


def test_the_api_needs_authentication(client, db):
    assert client.get("/api/v1/equipment/signoffs").status_code == 401
