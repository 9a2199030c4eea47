"""French typography of the catalogue, order and ledger pages, rendered with data (an order over
its envelope, one in override, a campaign to order, an unpriced kit)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolClassFactory, SchoolFactory, user_with_role
from tests.typography import typography_problems, visible_text_of_html
from tne.equipment.enums import OrderStatus

from .factories import (
    AllocationFactory,
    CampaignFactory,
    EnvelopeFactory,
    OrderFactory,
    OrderLineFactory,
    category,
    kit,
    measure,
    price_kits,
)


@pytest.fixture
def pages(tree):
    price_kits()
    envelope = EnvelopeFactory(node=tree.aisne, measure=measure("M5"), amount=Decimal("1000"))
    draft = OrderFactory(envelope=envelope, status=OrderStatus.DRAFT, total=Decimal("7490"))
    OrderLineFactory(order=draft, quantity=10, unit_price=Decimal("749"))
    committed = OrderFactory(
        envelope=envelope,
        status=OrderStatus.COMMITTED,
        total=Decimal("1500"),
        override_reason="Rallonge votée",
    )
    OrderLineFactory(order=committed, quantity=2, unit_price=Decimal("750"))
    campaign = CampaignFactory(node=tree.laon, kit=kit("kit-hybride"))
    school = SchoolFactory(commune=tree.laon)
    AllocationFactory(
        campaign=campaign, school=school, school_class=SchoolClassFactory(school=school)
    )
    webcam = category("webcam")
    unpriced = kit("kit-hybride")
    webcam.reference_model = None
    webcam.save()
    unpriced.items.get_or_create(category=webcam, defaults={"quantity": 1})
    return [
        reverse("equipment:catalogue"),
        reverse("equipment:model_create"),
        reverse("equipment:category_reference", args=[webcam.pk]),
        reverse("equipment:kit_list"),
        reverse("equipment:kit_detail", args=[unpriced.pk]),
        reverse("equipment:order_list"),
        reverse("equipment:order_create"),
        reverse("equipment:order_detail", args=[draft.pk]),
        reverse("equipment:order_detail", args=[committed.pk]),
        reverse("equipment:order_cancel", args=[committed.pk]),
        reverse("equipment:invoice_create", args=[committed.pk]),
        reverse("equipment:campaign_order", args=[campaign.pk]),
        reverse("equipment:ledger"),
    ]


def test_the_pages_follow_french_typography(client, tree, pages):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [
            f"{url}: {p}"
            for p in typography_problems(visible_text_of_html(response.content.decode()))
        ]
    assert not problems, "\n".join(problems)
