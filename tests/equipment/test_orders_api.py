"""The catalogue and orders API: categories, models and kits with their cost for every agent;
the orders of the caller's territory with their lines; the ledger of a measure on a node of
their territory (404 outside it); nothing for a parent."""

from decimal import Decimal

from tests.api.clients import SessionClient, TokenClient
from tests.factories import Role, SchoolFactory, user_with_role
from tne.equipment import pricing
from tne.equipment.enums import OrderStatus
from tne.equipment.models import KitTemplate

from .factories import EnvelopeFactory, OrderFactory, OrderLineFactory, measure, price_kits


def test_the_catalogue_and_the_kits_with_their_cost(client, tree):
    price_kits()
    api = TokenClient(client, user_with_role(Role.TECHNICIAN, tree.aisne))

    categories = api.get("/equipment/categories").json()["items"]
    models = api.get("/equipment/models?category=laptop").json()["items"]
    kit = api.get("/equipment/kits/kit-hybride").json()

    assert all(c["reference_model"] for c in categories)
    assert {m["category"] for m in models} == {"laptop"}
    hybrid = pricing.with_items(KitTemplate.objects.filter(code="kit-hybride")).get()
    assert Decimal(kit["cost"]) == pricing.kit_cost(hybrid)
    assert len(kit["items"]) == hybrid.items.count()
    assert api.get("/equipment/kits/inconnu").status_code == 404
    assert len(api.get("/equipment/kits").json()["items"]) == KitTemplate.objects.count()


def test_a_parent_reads_no_catalogue(client, tree):
    api = SessionClient(client, user_with_role(Role.PARENT, SchoolFactory(commune=tree.laon)))

    # Loans (M6): a parent's account opens « Mon prêt » only (``tne.loans.family_access``).
    assert api.get("/equipment/categories").status_code == 403
    assert api.get("/equipment/kits/kit-hybride").status_code == 403
    assert api.get("/equipment/orders").status_code == 403


def test_orders_and_ledger_follow_the_territory(client, tree):
    m5 = measure("M5")
    aisne = EnvelopeFactory(node=tree.aisne, measure=m5, amount=Decimal("10000"))
    vdo = EnvelopeFactory(node=tree.vdo, measure=m5, amount=Decimal("10000"))
    mine = OrderFactory(envelope=aisne, status=OrderStatus.COMMITTED, total=Decimal("3000"))
    OrderLineFactory(order=mine, quantity=4, unit_price=Decimal("750"))
    theirs = OrderFactory(envelope=vdo, status=OrderStatus.COMMITTED, total=Decimal("1"))
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))

    orders = api.get("/equipment/orders?measure=M5").json()["items"]
    assert [o["number"] for o in orders] == [mine.number]
    assert orders[0]["lines"][0]["quantity"] == 4
    assert api.get(f"/equipment/orders/{theirs.pk}").status_code == 404
    ledger = api.get("/equipment/ledger?measure=M5").json()
    assert ledger["node"]["code"] == "02"
    assert Decimal(ledger["rows"][0]["remaining"]) == Decimal("7000")
    refused = api.get(f"/equipment/ledger?node={tree.vdo.pk}")
    assert refused.status_code == 404, refused.json()
    assert api.get("/equipment/ledger?measure=M1").status_code == 404
    evaluator = TokenClient(client, user_with_role(Role.EVALUATOR, tree.country))
    national = evaluator.get("/equipment/ledger?measure=M5").json()
    assert [r["node"]["code"] for r in national["rows"]] == ["FR", "95", "02"]
