"""The catalogue and the kits: the kit's cost from its models, else its categories' reference
models, « non chiffré » with the reason when a line has neither; the writes of the catalogue
(audited, EDIT_CATALOGUE only); the pages per role, their exports and their query counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import Role, SchoolFactory, user_with_role
from tne.core.audit import history_of
from tne.core.formats import euros
from tne.core.widgets import EurosField
from tne.equipment import pricing
from tne.equipment.models import Category, DeviceModel, KitItem, KitTemplate
from tne.equipment.services import catalogue as services

from .factories import DeviceModelFactory, category, kit, price_kits


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


def _kit(code="kit-hybride"):
    return pricing.with_items(KitTemplate.objects.filter(code=code)).get()


def test_a_kit_costs_its_models_else_its_reference_models(tree):
    models = price_kits()
    hybrid = _kit()
    expected = sum(
        (models[item.category.code].unit_price * item.quantity for item in hybrid.items.all()),
        Decimal("0"),
    )
    assert pricing.kit_cost(hybrid) == expected

    item = hybrid.items.first()
    own = DeviceModelFactory(category=item.category, unit_price=Decimal("1.00"))
    item.model = own
    item.save()
    hybrid = _kit()
    difference = (models[item.category.code].unit_price - Decimal("1.00")) * item.quantity
    assert pricing.kit_cost(hybrid) == expected - difference


def test_a_line_without_model_nor_reference_leaves_the_kit_unpriced(client, tree):
    price_kits()
    webcam = category("webcam")
    webcam.reference_model = None
    webcam.save()
    hybrid = _kit()
    KitItem.objects.get_or_create(kit=hybrid, category=webcam, defaults={"quantity": 1})
    assert pricing.kit_cost(_kit()) is None

    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))
    html = client.get(reverse("equipment:kit_detail", args=[hybrid.pk])).content.decode()
    assert 'id="kit-unpriced"' in html and webcam.name in html
    listing = client.get(reverse("equipment:kit_list")).content.decode()
    assert "Non chiffré" in listing


def test_the_catalogue_is_edited_by_coordinators_and_audited(tree, coordinator):
    laptop = category("laptop")
    model = services.create_model(
        actor=coordinator,
        category=laptop,
        maker="Dell",
        reference="LAT-3540",
        name="Latitude 3540",
        unit_price=Decimal("749.90"),
    )
    services.update_model(actor=coordinator, model=model, values={"unit_price": Decimal("699")})
    services.set_reference_model(actor=coordinator, category=laptop, model=model)

    assert history_of(model).count() == 2
    assert history_of(Category.objects.get(pk=laptop.pk)).count() == 1
    with pytest.raises(ValidationError, match="modèle de référence"):
        services.update_model(
            actor=coordinator, model=model, values={"category": category("tablet")}
        )
    with pytest.raises(ValidationError):
        services.set_reference_model(actor=coordinator, category=category("tablet"), model=model)
    technician = user_with_role(Role.TECHNICIAN, tree.aisne)
    with pytest.raises(PermissionDenied):
        services.update_model(actor=technician, model=model, values={"name": "X"})


def test_a_kit_line_names_a_model_of_its_category(tree, coordinator):
    hybrid = kit("kit-hybride")
    tablet = DeviceModelFactory(category=category("tablet"))

    with pytest.raises(ValidationError, match="pas de la catégorie"):
        services.set_kit_item(
            actor=coordinator, kit=hybrid, category=category("webcam"), model=tablet, quantity=1
        )
    item = services.set_kit_item(
        actor=coordinator, kit=hybrid, category=category("tablet"), model=tablet, quantity=6
    )
    again = services.set_kit_item(
        actor=coordinator, kit=hybrid, category=category("tablet"), quantity=8
    )
    assert again.pk == item.pk and again.quantity == 8 and again.model is None
    services.remove_kit_item(actor=coordinator, item=again)
    assert not KitItem.objects.filter(pk=item.pk).exists()


def test_a_model_named_by_an_order_is_not_deleted(tree, coordinator):
    from .factories import EnvelopeFactory, OrderFactory, OrderLineFactory, measure

    model = DeviceModelFactory()
    order = OrderFactory(envelope=EnvelopeFactory(node=tree.aisne, measure=measure("M5")))
    OrderLineFactory(order=order, model=model)

    with pytest.raises(ValidationError, match="retirez-le"):
        services.delete_model(actor=coordinator, model=model)
    assert DeviceModel.objects.filter(pk=model.pk).exists()


def test_the_pages_per_role(client, tree, coordinator):
    price_kits()
    technician = user_with_role(Role.TECHNICIAN, tree.aisne)
    evaluator = user_with_role(Role.EVALUATOR, tree.country)
    parent = user_with_role(Role.PARENT, SchoolFactory(commune=tree.laon))
    model = DeviceModel.objects.first()
    hybrid = kit("kit-hybride")

    for reader in (technician, evaluator, coordinator):
        client.force_login(reader)
        for url in (reverse("equipment:catalogue"), reverse("equipment:kit_list")):
            assert client.get(url).status_code == 200
        assert client.get(reverse("equipment:kit_detail", args=[hybrid.pk])).status_code == 200
    client.force_login(technician)
    assert client.get(reverse("equipment:model_update", args=[model.pk])).status_code == 403
    assert client.get(reverse("equipment:model_create")).status_code == 403
    response = client.post(
        reverse("equipment:kit_item_set", args=[hybrid.pk]),
        {"category": category("tablet").pk, "quantity": 2},
    )
    assert response.status_code == 403
    client.force_login(parent)
    assert client.get(reverse("equipment:catalogue")).status_code == 403
    assert client.get(reverse("equipment:kit_list")).status_code == 403


def test_a_coordinator_adds_a_model_with_a_french_price(client, tree, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("equipment:model_create"),
        {
            "category": category("projector").pk,
            "maker": "Epson",
            "name": "EB-L210W",
            "reference": "V11HA70080",
            "unit_price": "1 089,90",
            "warranty_months": 60,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    model = DeviceModel.objects.get(reference="V11HA70080")
    assert model.unit_price == Decimal("1089.90")
    html = client.get(reverse("equipment:catalogue") + "?q=epson").content.decode()
    assert euros(Decimal("1089.90")) in html
    response = client.post(
        reverse("equipment:model_update", args=[model.pk]),
        {
            "category": category("projector").pk,
            "maker": "Epson",
            "name": "EB-L210W",
            "reference": "V11HA70080",
            "unit_price": "douze",
            "warranty_months": 60,
        },
    )
    assert response.status_code == 200 and "Saisissez un montant" in response.content.decode()


def test_a_coordinator_edits_a_kit_line_and_a_reference_model(client, tree, coordinator):
    price_kits()
    hybrid = kit("kit-hybride")
    tablet = DeviceModelFactory(category=category("tablet"))
    client.force_login(coordinator)

    response = client.post(
        reverse("equipment:kit_item_set", args=[hybrid.pk]),
        {"category": category("tablet").pk, "model": tablet.pk, "quantity": 3},
    )
    assert response.status_code == 302
    assert KitItem.objects.get(kit=hybrid, category=category("tablet")).quantity == 3
    response = client.post(
        reverse("equipment:category_reference", args=[category("tablet").pk]),
        {"model": tablet.pk},
    )
    assert response.status_code == 302
    assert category("tablet").reference_model == tablet


def test_the_exports(client, tree, coordinator):
    price_kits()
    client.force_login(coordinator)
    body = b"".join(
        client.get(reverse("equipment:catalogue_export", args=["csv"])).streaming_content
    ).decode()
    assert body.count("\r\n") == DeviceModel.objects.active().count() + 1
    kits = b"".join(
        client.get(reverse("equipment:kit_export", args=["csv"])).streaming_content
    ).decode()
    assert "kit-hybride" in kits
    assert client.get(reverse("equipment:kit_export", args=["xlsx"])).status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_the_catalogue_and_kit_pages_make_a_fixed_number_of_queries(
    client, tree, coordinator, extra, django_assert_num_queries
):
    price_kits()
    for _ in range(extra):
        DeviceModelFactory(category=category("tablet"))
    client.force_login(coordinator)
    client.get(reverse("equipment:kit_list"))

    # Session, user, grants; categories; the count and the page of models; the filter's list.
    with django_assert_num_queries(7):
        client.get(reverse("equipment:catalogue"))
    # Session, user, grants; the kits; their lines with their models and reference models.
    with django_assert_num_queries(5):
        client.get(reverse("equipment:kit_list"))


@pytest.mark.parametrize("extra", [0, 8])
def test_a_kit_page_makes_a_fixed_number_of_queries(
    client, tree, coordinator, extra, django_assert_num_queries
):
    price_kits()
    hybrid = kit("kit-hybride")
    for cat in Category.objects.exclude(pk__in=hybrid.items.values("category")).order_by("pk")[
        :extra
    ]:
        KitItem.objects.create(kit=hybrid, category=cat, quantity=2)
    client.force_login(coordinator)
    url = reverse("equipment:kit_detail", args=[hybrid.pk])
    client.get(url)

    # Session, user, grants; the kit; its lines with their models; the form's two lists.
    with django_assert_num_queries(7):
        client.get(url)


@given(cents=st.integers(min_value=0, max_value=10**12))
def test_a_price_written_in_french_reads_back_to_the_cent(cents):
    amount = Decimal(cents) / 100
    field = EurosField()
    assert field.clean(field.prepare_value(amount.quantize(Decimal("0.01")))) == amount
    assert field.clean(euros(amount)) == amount
