"""The order and ledger pages for each role: a coordinator of Aisne orders on Aisne's envelopes
(a Val-d'Oise order or envelope is a 404, the national envelope a 403), commits within the
envelope or in override with a reason, cancels after confirmation, enters invoices, orders a
campaign in one action; an evaluator reads the ledger's figures; a parent gets 403; the lists
make a fixed number of queries whatever the data."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    grant,
    user_with_role,
)
from tne.core.formats import euros
from tne.equipment.enums import AllocationStatus, OrderStatus
from tne.equipment.models import Allocation, Invoice, Order

from .factories import (
    AllocationFactory,
    CampaignFactory,
    DeviceModelFactory,
    EnvelopeFactory,
    OrderFactory,
    OrderLineFactory,
    SupplierFactory,
    kit,
    measure,
    price_kits,
)

PAGE_SIZE = settings.TNE_PAGE_SIZE
# Session, user, grants; the measures of the filter; the count and the page of orders.
LIST_QUERIES = 6
# Session, user, grants; the default measure and node; the ledger's six; the filter's lists
# (the measures' twice, as the DSFR field group renders them).
LEDGER_QUERIES = 14
ORDER_QUERIES = 11


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


@pytest.fixture
def envelopes(tree):
    m5 = measure("M5")
    national = EnvelopeFactory(node=tree.country, measure=m5, amount=Decimal("1000000"))
    return {
        "national": national,
        "aisne": EnvelopeFactory(node=tree.aisne, measure=m5, amount=Decimal("10000")),
        "vdo": EnvelopeFactory(node=tree.vdo, measure=m5, amount=Decimal("10000")),
    }


def _get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def _draft(envelope, price="1000", quantity=3):
    order = OrderFactory(envelope=envelope, status=OrderStatus.DRAFT)
    OrderLineFactory(
        order=order,
        model=DeviceModelFactory(unit_price=Decimal(price)),
        quantity=quantity,
        unit_price=Decimal(price),
    )
    order.total = Decimal(price) * quantity
    order.save()
    return order


def test_a_coordinator_creates_an_order_adds_a_line_and_commits_it(client, coordinator, envelopes):
    client.force_login(coordinator)
    supplier = SupplierFactory()

    response = client.post(
        reverse("equipment:order_create"),
        {"number": "UGAP-1", "supplier": supplier.pk, "envelope": envelopes["aisne"].pk},
    )
    order = Order.objects.get(number="UGAP-1")
    assert response.status_code == 302 and order.status == OrderStatus.DRAFT
    model = DeviceModelFactory(unit_price=Decimal("749"))
    response = client.post(
        reverse("equipment:order_line_add", args=[order.pk]),
        {"model": model.pk, "quantity": "4", "unit_price": ""},
    )
    assert response.status_code == 302
    response = client.post(reverse("equipment:order_commit", args=[order.pk]), {})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMMITTED and order.total == Decimal("2996")

    html = _get(client, coordinator, reverse("equipment:order_detail", args=[order.pk]))
    assert euros(Decimal("2996")) in html.content.decode()


def test_an_order_over_the_envelope_is_refused_on_the_page_then_overridden(
    client, coordinator, envelopes
):
    order = _draft(envelopes["aisne"], quantity=12)
    client.force_login(coordinator)

    html = _get(client, coordinator, reverse("equipment:order_detail", args=[order.pk]))
    assert 'id="exceeds"' in html.content.decode()
    response = client.post(reverse("equipment:order_commit", args=[order.pk]), {})
    assert response.status_code == 400
    assert "dépasse ce qui reste" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT

    response = client.post(
        reverse("equipment:order_commit", args=[order.pk]),
        {"override_reason": "Rallonge du conseil départemental"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMMITTED and order.override_by == coordinator
    html = _get(client, coordinator, reverse("equipment:order_detail", args=[order.pk]))
    assert "Rallonge du conseil départemental" in html.content.decode()


def test_a_coordinator_of_aisne_cannot_reach_val_d_oise_nor_order_nationally(
    client, coordinator, envelopes
):
    vdo_order = _draft(envelopes["vdo"])
    national_order = _draft(envelopes["national"])
    client.force_login(coordinator)

    for name in ("order_detail", "order_cancel", "invoice_create"):
        _get(client, coordinator, reverse(f"equipment:{name}", args=[vdo_order.pk]), 404)
        _get(client, coordinator, reverse(f"equipment:{name}", args=[national_order.pk]), 404)
    response = client.post(
        reverse("equipment:order_create"),
        {"number": "X-1", "supplier": SupplierFactory().pk, "envelope": envelopes["vdo"].pk},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("equipment:order_create"),
        {"number": "X-2", "supplier": SupplierFactory().pk, "envelope": envelopes["national"].pk},
    )
    assert response.status_code == 403
    assert not Order.objects.filter(number__startswith="X-").exists()
    response = client.post(reverse("equipment:order_commit", args=[vdo_order.pk]), {})
    assert response.status_code == 404


def test_a_technician_reads_orders_but_acts_on_none(client, tree, envelopes):
    order = _draft(envelopes["aisne"])
    technician = user_with_role(Role.TECHNICIAN, tree.aisne)
    grant(technician, Role.COORDINATOR, tree.vdo)  # Orders in Val-d'Oise, not in Aisne.

    html = _get(client, technician, reverse("equipment:order_detail", args=[order.pk]))
    assert 'id="commit-form"' not in html.content.decode()
    client.force_login(technician)
    assert client.post(reverse("equipment:order_commit", args=[order.pk]), {}).status_code == 403
    _get(client, technician, reverse("equipment:order_cancel", args=[order.pk]), 403)


def test_people_outside_the_agents_get_403(client, tree):
    school = SchoolFactory(commune=tree.laon)
    parent = user_with_role(Role.PARENT, school)
    for name in ("order_list", "order_create", "ledger"):
        _get(client, parent, reverse(f"equipment:{name}"), 403)


def test_cancel_asks_for_confirmation_and_refuses_once_delivered(client, coordinator, envelopes):
    order = _draft(envelopes["aisne"])
    url = reverse("equipment:order_cancel", args=[order.pk])

    html = _get(client, coordinator, url).content.decode()
    assert "sera annulée" in html
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT
    assert client.post(url).status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED

    delivered = _draft(envelopes["aisne"])
    delivered.lines.update(delivered=1)
    url = reverse("equipment:order_cancel", args=[delivered.pk])
    assert 'id="cancel-refusal"' in _get(client, coordinator, url).content.decode()
    client.post(url)
    assert Order.objects.get(pk=delivered.pk).status == OrderStatus.DRAFT


def test_an_invoice_is_entered_as_french_decimal(client, coordinator, envelopes):
    order = _draft(envelopes["aisne"])
    order.status = OrderStatus.COMMITTED
    order.save()
    client.force_login(coordinator)
    url = reverse("equipment:invoice_create", args=[order.pk])

    response = client.post(url, {"number": "F-1", "issued_on": "2026-11-03", "amount": "4 000"})
    assert response.status_code == 200 and "à facturer" in response.content.decode()
    response = client.post(url, {"number": "F-1", "issued_on": "2026-11-03", "amount": "1 234,50"})
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.amount == Decimal("1234.50")
    assert invoice.issued_on == datetime.date(2026, 11, 3)


def test_a_campaign_is_ordered_in_one_action(client, tree, coordinator, envelopes):
    price_kits()
    envelopes["aisne"].amount = Decimal("500000")
    envelopes["aisne"].save()
    campaign = CampaignFactory(node=tree.laon, kit=kit("kit-hybride"))
    school = SchoolFactory(commune=tree.laon)
    for _ in range(4):
        AllocationFactory(
            campaign=campaign, school=school, school_class=SchoolClassFactory(school=school)
        )
    url = reverse("equipment:campaign_order", args=[campaign.pk])

    html = _get(client, coordinator, url).content.decode()
    assert "4\u00a0affectations prévues" in html
    assert f'value="{envelopes["aisne"].pk}"' in html
    assert f'value="{envelopes["national"].pk}"' not in html
    response = client.post(
        url,
        {
            "number": "UGAP-C1",
            "supplier": SupplierFactory().pk,
            "envelope": envelopes["aisne"].pk,
            "override_reason": "",
        },
    )

    assert response.status_code == 302
    order = Order.objects.get(number="UGAP-C1")
    assert order.status == OrderStatus.COMMITTED
    assert Allocation.objects.filter(order=order, status=AllocationStatus.ORDERED).count() == 4
    campaign_page = reverse("equipment:campaign_detail", args=[campaign.pk])
    detail = reverse("equipment:order_detail", args=[order.pk])
    assert f'href="{campaign_page}"' in _get(client, coordinator, detail).content.decode()
    evaluator = user_with_role(Role.EVALUATOR, tree.aisne)  # reads the order, not the campaign
    assert campaign_page not in _get(client, evaluator, detail).content.decode()
    vdo_campaign = CampaignFactory(node=tree.cergy, kit=kit("kit-hybride"))
    _get(client, coordinator, reverse("equipment:campaign_order", args=[vdo_campaign.pk]), 404)


def test_an_evaluator_reads_the_ledger_figures(client, tree, envelopes):
    order = _draft(envelopes["aisne"])
    order.status = OrderStatus.COMMITTED
    order.save()
    evaluator = user_with_role(Role.EVALUATOR, tree.country)

    html = _get(
        client,
        evaluator,
        reverse("equipment:ledger") + f"?measure={measure('M5').pk}&node={tree.aisne.pk}",
    ).content.decode()

    assert euros(Decimal("3000")) in html and euros(Decimal("7000")) in html
    export = client.get(reverse("equipment:ledger_export", args=["csv"]) + f"?node={tree.aisne.pk}")
    assert export.status_code == 200
    assert "3000,00" in b"".join(export.streaming_content).decode()


def test_a_coordinator_of_aisne_reads_no_ledger_of_val_d_oise(client, tree, coordinator):
    response = _get(client, coordinator, reverse("equipment:ledger") + f"?node={tree.vdo.pk}")
    assert response.context["ledger"].node == tree.aisne  # The filter refuses it: their own.


def test_the_order_export_lists_what_the_page_lists(client, coordinator, envelopes):
    _draft(envelopes["aisne"])
    _draft(envelopes["vdo"])
    client.force_login(coordinator)
    response = client.get(reverse("equipment:order_export", args=["csv"]))
    body = b"".join(response.streaming_content).decode()
    assert body.count("\r\n") == 2  # The header and Aisne's order.
    xlsx = client.get(reverse("equipment:order_export", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert client.get(reverse("equipment:order_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_order_list_and_the_ledger_make_a_fixed_number_of_queries(
    client, tree, coordinator, envelopes, count, django_assert_num_queries
):
    m5 = measure("M5")
    for i in range(count):
        order = _draft(envelopes["aisne"], price="10")
        Invoice.objects.create(
            order=order, number=f"F{i}", issued_on=datetime.date(2026, 11, 1), amount=1
        )
    for commune in (tree.laon, tree.soissons)[: 1 if count < 10 else 2]:
        envelope = EnvelopeFactory(node=commune, measure=m5, amount=Decimal("100"))
        OrderFactory(envelope=envelope, total=Decimal("50"))
    client.force_login(coordinator)
    client.get(reverse("equipment:order_list"))  # Warm the session.

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("equipment:order_list"))
    listed = count + (1 if count < 10 else 2)
    assert len(response.context["page_obj"].object_list) == min(listed, PAGE_SIZE)
    with django_assert_num_queries(LEDGER_QUERIES):
        response = client.get(reverse("equipment:ledger"))
    assert len(response.context["ledger"].below) == (1 if count < 10 else 2)


@pytest.mark.parametrize("lines", [2, 20])
def test_an_order_page_makes_a_fixed_number_of_queries(
    client, coordinator, envelopes, lines, django_assert_num_queries
):
    order = OrderFactory(envelope=envelopes["aisne"], status=OrderStatus.COMMITTED)
    for i in range(lines):
        OrderLineFactory(order=order, quantity=1)
        Invoice.objects.create(
            order=order, number=f"F{i}", issued_on=datetime.date(2026, 11, 1), amount=1
        )
    client.force_login(coordinator)
    url = reverse("equipment:order_detail", args=[order.pk])
    client.get(url)

    # Session, user, grants; the order; lines, invoices, allocations; what is left (parts,
    # committed); the cancel check (delivered, invoices).
    with django_assert_num_queries(ORDER_QUERIES):
        response = client.get(url)
    assert len(response.context["lines"]) == lines
