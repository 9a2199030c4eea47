"""The deployments API: campaigns and allocations in the caller's scope, filtered and
keyset-paginated, and the progress of a measure on a node (403 without the permission, 404
outside the territory followed)."""

import pytest

from tests.factories import Role, user_with_role
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection

from .deployment_factories import campaign_on, pilot


@pytest.fixture
def p(tree):
    data = pilot(tree)
    national = user_with_role(Role.NATIONAL, tree.country)
    data.campaign = campaign_on(tree.country)
    deployments.allocate(
        campaign=data.campaign, selection=Selection(node=tree.country), actor=national
    )
    return data


def api(client, user, path, **params):
    client.force_login(user)
    return client.get(f"/api/v1{path}", params)


def test_allocations_are_scoped_filtered_and_paginated(client, p):
    body = api(client, p.coordinator, "/equipment/allocations", limit=5).json()
    assert len(body["items"]) == 5 and body["next_cursor"]
    rest = api(
        client, p.coordinator, "/equipment/allocations", limit=5, cursor=body["next_cursor"]
    ).json()
    uais = {a["uai"] for a in body["items"] + rest["items"]}
    assert len(body["items"] + rest["items"]) == 9 and p.cergy.uai not in uais
    only = api(client, p.coordinator, "/equipment/allocations", uai=p.soissons.uai).json()
    assert {a["uai"] for a in only["items"]} == {p.soissons.uai}
    assert only["items"][0]["status"]["code"] == "PLANNED"
    bad = api(client, p.coordinator, "/equipment/allocations", status="NOPE")
    assert bad.status_code == 422


def test_campaigns_are_listed_for_those_who_have_allocations_there(client, p):
    body = api(client, p.vdo_coordinator, "/equipment/campaigns").json()
    assert [c["id"] for c in body["items"]] == [p.campaign.pk]


def test_progress(client, p):
    body = api(client, p.coordinator, "/equipment/progress/M5/DEPARTEMENT/02").json()
    assert body["total"]["total"] == 9
    assert {r["node"]["name"]: r["total"] for r in body["rows"]} == {"Laon": 6, "Soissons": 3}
    assert api(client, p.coordinator, "/equipment/progress/M5/DEPARTEMENT/95").status_code == 404
    parent = user_with_role(Role.PARENT, p.soissons)
    assert api(client, parent, "/equipment/progress/M5/COUNTRY/FR").status_code == 403
