"""The asset register in the API: a technician of Aisne lists and reads Aisne's devices
(Val-d'Oise's: 404), filtered and keyset-paginated by tag with a fixed number of queries; the
state change follows the table of transitions (409 in French) and needs the management of the
device (a school head: 403)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.clients import SessionClient, TokenClient
from tests.factories import Role, user_with_role
from tne.core.models import AuditEvent, AuditSource
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset, AssetEvent

from .asset_factories import at_school, in_stock, school_in

S = AssetState


@pytest.fixture
def world(tree):
    laon = school_in(tree.laon, uai="0021001A")
    cergy = school_in(tree.cergy, uai="0951001C")
    return {
        "laon": laon,
        "a": at_school(laon, asset_tag="TNE-A-1", serial_number="SER-A1"),
        "b": at_school(laon, asset_tag="TNE-A-2", serial_number="SER-A2", state=S.IN_REPAIR),
        "stock": in_stock(tree.aisne, asset_tag="TNE-A-3", serial_number="SER-A3"),
        "cergy": at_school(cergy, asset_tag="TNE-V-1", serial_number="SER-V1"),
    }


def post(client, path, body, token):
    return client.post(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token.raw}"},
    )


def test_it_lists_the_devices_of_the_scope_filtered_and_paginated(client, tree, world):
    api = TokenClient(client, user_with_role(Role.TECHNICIAN, tree.aisne))

    body = api.get("/equipment/assets", limit=2).json()
    assert [a["asset_tag"] for a in body["items"]] == ["TNE-A-1", "TNE-A-2"]
    rest = api.get("/equipment/assets", limit=2, cursor=body["next_cursor"]).json()
    assert [a["asset_tag"] for a in rest["items"]] == ["TNE-A-3"] and rest["next_cursor"] is None
    assert rest["items"][0]["place"]["stock"] == "02"

    def tags(**params):
        return [a["asset_tag"] for a in api.get("/equipment/assets", **params).json()["items"]]

    assert tags(state=S.IN_REPAIR) == ["TNE-A-2"]
    assert tags(school="0021001a") == ["TNE-A-1", "TNE-A-2"]
    assert tags(q="ser-a") == ["TNE-A-1", "TNE-A-2", "TNE-A-3"]
    assert tags(q="tne-v") == []
    assert api.get("/equipment/assets", state="BROKEN").status_code == 422


def test_the_list_makes_a_fixed_number_of_queries(client, tree, world):
    api = TokenClient(client, user_with_role(Role.TECHNICIAN, tree.aisne))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/equipment/assets").status_code == 200
        return len(captured)

    count()  # the token's first use is written once
    small = count()
    for n in range(30):
        at_school(world["laon"], asset_tag=f"TNE-Q-{n:02d}")
    assert count() == small


def test_a_device_and_its_history_and_a_foreign_one_is_a_404(client, tree, world):
    api = TokenClient(client, user_with_role(Role.TECHNICIAN, tree.aisne))

    detail = api.get(f"/equipment/assets/{world['a'].pk}").json()
    assert detail["serial_number"] == "SER-A1" and detail["place"]["school_uai"] == "0021001A"
    assert detail["history"] == []
    assert api.get(f"/equipment/assets/{world['cergy'].pk}").status_code == 404


def test_the_state_change_follows_the_table_and_is_audited_as_api(client, tree, world):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    api = TokenClient(client, tech)
    url = f"/equipment/assets/{world['a'].pk}/state"

    answer = post(client, url, {"state": S.IN_REPAIR, "note": "Écran"}, api)
    assert answer.status_code == 200 and answer.json()["state"]["code"] == S.IN_REPAIR
    event = AssetEvent.objects.get(asset=world["a"])
    assert (event.from_state, event.to_state, event.note) == (S.INSTALLED, S.IN_REPAIR, "Écran")
    assert AuditEvent.objects.filter(source=AuditSource.API, object_id=str(world["a"].pk)).exists()

    refused = post(
        client, f"/equipment/assets/{world['stock'].pk}/state", {"state": S.INSTALLED}, api
    )
    assert refused.status_code == 409 and "aucune école" in refused.json()["detail"]
    assert (
        post(
            client, f"/equipment/assets/{world['cergy'].pk}/state", {"state": S.LOST}, api
        ).status_code
        == 404
    )
    assert post(client, url, {"state": "BROKEN"}, api).status_code == 422


def test_a_school_head_reads_but_may_not_change_a_state(client, tree, world):
    head = user_with_role(Role.SCHOOL_HEAD, world["laon"])
    api = SessionClient(client, head)
    assert [a["asset_tag"] for a in api.get("/equipment/assets").json()["items"]] == [
        "TNE-A-1",
        "TNE-A-2",
    ]
    answer = client.post(
        f"/api/v1/equipment/assets/{world['a'].pk}/state",
        {"state": S.LOST},
        content_type="application/json",
    )
    assert answer.status_code in (403,)
    assert Asset.objects.get(pk=world["a"].pk).state == S.INSTALLED
