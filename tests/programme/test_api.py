"""The programme API: the measures, and the targets and envelopes the caller reads, exactly as
the page shows them (amounts exact to the cent)."""

from decimal import Decimal

import pytest

from tests.api.clients import TokenClient
from tests.factories import Role, SchoolFactory, user_with_role
from tests.programme.factories import EnvelopeFactory, TargetFactory


@pytest.fixture
def figures(tree, period):
    national = EnvelopeFactory(node=tree.country, amount=Decimal("9000000"))
    EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("1234.50"))
    EnvelopeFactory(node=tree.vdo, parent=national, amount=Decimal("7000000"))
    TargetFactory(node=tree.country, period=period)
    TargetFactory(node=tree.aisne, period=period, count=600, note="hypothèse de démonstration")
    TargetFactory(node=tree.vdo, period=period, count=2_100)
    return national


def test_it_lists_the_eight_measures(client, tree):
    api = TokenClient(client, user_with_role(Role.EVALUATOR, tree.aisne))

    body = api.get("/programme/measures").json()

    assert [m["code"] for m in body["items"]] == [f"M{i}" for i in range(1, 9)]
    assert body["next_cursor"] is None


def test_a_coordinator_reads_the_national_and_aisne_figures(client, tree, figures):
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))

    targets = api.get("/programme/targets").json()["items"]
    envelopes = api.get("/programme/envelopes").json()["items"]

    assert [(t["node"]["code"], t["count"]) for t in targets] == [("FR", 2_700), ("02", 600)]
    assert targets[1]["unit"] == {"code": "CLASSES", "label": "classes"}
    assert targets[1]["period"]["label"] == "Phase pilote"
    assert [(e["node"]["code"], e["amount"]) for e in envelopes] == [
        ("FR", "9000000.00"),
        ("02", "1234.50"),
    ]
    assert envelopes[1]["parent_id"] == figures.pk


def test_the_lists_filter_and_paginate(client, tree, figures):
    api = TokenClient(client, user_with_role(Role.NATIONAL, tree.country))

    first = api.get("/programme/targets", limit=2).json()
    second = api.get("/programme/targets", limit=2, cursor=first["next_cursor"]).json()
    by_node = api.get("/programme/envelopes", node_code="95").json()["items"]

    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert [e["amount"] for e in by_node] == ["7000000.00"]


def test_a_parent_reads_nothing(client, tree, figures):
    """A parent holds no API token (``accounts.use_api``) and, logged in, reads no figure."""
    parent = user_with_role(Role.PARENT, SchoolFactory(commune=tree.laon))
    client.force_login(parent)

    # Loans (M6): a parent's account opens « Mon prêt » only (``tne.loans.family_access``).
    assert client.get("/api/v1/programme/targets").status_code == 403
    assert client.get("/api/v1/programme/measures").status_code == 403


def test_the_api_needs_authentication(client, db):
    assert client.get("/api/v1/programme/targets").status_code == 401
