"""What a kit costs: each of its lines at its model's price, or at its category's reference
model's price when it names the category only. One function, used by the catalogue pages, the
socle's gap costs, the plan and the orders made from a campaign."""

from decimal import Decimal

from django.db.models import Prefetch

from .models import KitItem, KitTemplate


def item_model(item: KitItem):
    """The model a kit line buys: its own, else its category's reference (``None``: unpriced)."""
    return item.model or item.category.reference_model


def item_unit_price(item: KitItem) -> Decimal | None:
    model = item_model(item)
    return None if model is None else model.unit_price


def kit_cost(kit: KitTemplate) -> Decimal | None:
    """The price of one kit incl. VAT, or ``None`` when a line has no price (no model and no
    reference model for its category). Uses ``kit.items`` (prefetch it with
    :func:`with_items` for a list of kits)."""
    total = Decimal("0")
    for item in kit.items.all():
        price = item_unit_price(item)
        if price is None:
            return None
        total += price * item.quantity
    return total


def with_items(kits):
    """``kits`` (a QuerySet of KitTemplate) with their lines, models and reference models in
    three queries whatever the number of kits."""
    return kits.prefetch_related(
        Prefetch(
            "items",
            queryset=KitItem.objects.select_related("model", "category__reference_model"),
        )
    )
