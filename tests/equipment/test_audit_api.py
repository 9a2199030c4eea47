"""The socle audit in the API: the gaps of the schools in scope (fixed queries per page), one
school's audit, writing it with ``AUDIT`` (head of the school; a head elsewhere 404; a teacher
or a local authority 403), the plan of an M4 envelope within its budget."""

import json
from decimal import Decimal

import pytest

from tests.api.clients import SessionClient, TokenClient
from tests.equipment.audit_factories import FULL_CLASS, audit, school_with_classes, without
from tests.equipment.factories import PRICES, EnvelopeFactory, price_kits
from tests.factories import Role, SchoolFactory, user_with_role
from tne.core.models import AuditEvent, AuditSource
from tne.equipment.models import ClassAudit, SchoolAudit


@pytest.fixture
def schools(tree):
    price_kits()
    laon, laon_classes = school_with_classes(tree.laon, 2, uai="0021234A")
    audit(laon, {laon_classes[0]: without("has_laptop")}, has_shared_pack=True)
    cergy, _ = school_with_classes(tree.cergy, 1, uai="0951234B")
    return {"laon": laon, "laon_classes": laon_classes, "cergy": cergy}


def put(client, uai, body):
    return client.put(
        f"/api/v1/equipment/audits/{uai}", json.dumps(body), content_type="application/json"
    )


def test_it_lists_the_schools_in_scope_with_their_gap(client, tree, schools):
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    body = api.get("/equipment/audits").json()
    assert [s["uai"] for s in body["items"]] == ["0021234A"]
    row = body["items"][0]
    assert (row["classes"], row["audited"], row["below"], row["missing_items"]) == (2, 1, 1, 1)
    assert Decimal(row["cost"]) == PRICES["laptop"]
    assert row["needs_school_pack"] is False
    assert row["head_missing"] == ["head_has_laptop", "head_has_internet", "head_has_printer"]
    assert api.get("/equipment/audits", departement="95").json()["items"] == []


@pytest.mark.parametrize("extra", [0, 6])
def test_the_list_makes_a_fixed_number_of_queries(
    client, tree, schools, django_assert_num_queries, extra
):
    for _ in range(extra):
        school, classes = school_with_classes(tree.soissons, 2)
        audit(school, {c: {} for c in classes})
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    api.get("/equipment/audits")
    # the token and its user, the grants (2); the page (1); prices (3); figures (3).
    with django_assert_num_queries(9):
        assert api.get("/equipment/audits").status_code == 200


def test_it_reads_one_school_audit_and_404_outside(client, tree, schools):
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    body = api.get("/equipment/audits/0021234A").json()
    assert body["audited"] is True
    first, second = body["classes"]
    assert first["status"] == "GAP" and first["missing"] == ["has_laptop"]
    assert first["items"] == ["laptop"]
    assert second["status"] == "NOT_AUDITED" and second["answers"] is None
    assert api.get("/equipment/audits/0951234B").status_code == 404


def test_the_head_writes_the_audit_of_their_school(client, tree, schools):
    _, ce1 = schools["laon_classes"]
    SessionClient(client, user_with_role(Role.SCHOOL_HEAD, schools["laon"]))
    response = put(
        client,
        "0021234A",
        {
            "school": {"has_shared_pack": True, "head_has_laptop": True},
            "classes": [{"class_id": ce1.pk, **FULL_CLASS}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["classes"][1]["status"] == "COMPLETE"
    assert body["classes"][0]["status"] == "GAP"  # CP not given: unchanged
    assert SchoolAudit.objects.get(school=schools["laon"]).head_has_laptop
    assert ClassAudit.objects.get(school_class=ce1).has_audio
    assert AuditEvent.objects.filter(source=AuditSource.API).exists()


def test_writing_needs_audit_on_the_school(client, tree, schools):
    cp, _ = schools["laon_classes"]
    body = {"school": {}, "classes": [{"class_id": cp.pk, **FULL_CLASS}]}
    SessionClient(client, user_with_role(Role.SCHOOL_HEAD, SchoolFactory(commune=tree.laon)))
    assert put(client, "0021234A", body).status_code == 404
    SessionClient(client, user_with_role(Role.TEACHER, schools["laon"]))
    assert put(client, "0021234A", body).status_code == 403
    SessionClient(client, user_with_role(Role.LOCAL_AUTHORITY, tree.laon))
    assert put(client, "0021234A", body).status_code == 403
    assert not ClassAudit.objects.filter(school_class=cp, has_laptop=True).exists()


def test_a_class_of_another_school_is_a_400(client, tree, schools):
    _, (foreign,) = school_with_classes(tree.soissons, 1)
    SessionClient(client, user_with_role(Role.SCHOOL_HEAD, schools["laon"]))
    response = put(client, "0021234A", {"school": {}, "classes": [{"class_id": foreign.pk}]})
    assert response.status_code == 400
    assert "classes élémentaires" in response.json()["detail"]
    # An unknown field is refused, not ignored.
    assert put(client, "0021234A", {"school": {"has_tnt": True}}).status_code == 422


def test_the_plan_within_the_envelope(client, tree, schools):
    envelope = EnvelopeFactory(node=tree.aisne, amount=Decimal("1000"))
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    body = api.get("/equipment/audits-plan", envelope=envelope.pk).json()
    assert [c["what"] for c in body["classes"]] == ["CP"]
    assert Decimal(body["total"]) == PRICES["laptop"] <= Decimal(body["budget"])
    assert {u["reason"] for u in body["unfunded"]} == {"Non audité\u00a0: l'écart est inconnu"}
    vdo = TokenClient(client, user_with_role(Role.COORDINATOR, tree.vdo))
    assert vdo.get("/equipment/audits-plan", envelope=envelope.pk).status_code == 404
    evaluator = TokenClient(client, user_with_role(Role.EVALUATOR, tree.aisne))
    assert evaluator.get("/equipment/audits-plan", envelope=envelope.pk).status_code == 403
