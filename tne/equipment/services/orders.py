"""Writes of the purchase orders: a draft order charged to an envelope, its lines, its commitment
against what is left on the envelope, its cancellation, its invoices, and the order of a whole
campaign in one action.

What is left on an envelope (:func:`envelope_remaining`) = its amount − the parts split to its
child envelopes − the totals of the committed orders charged to it. Committing locks the
envelope's row (``select_for_update``) and computes it again under the lock, so that two orders
committed at once for the last euros are serialised: exactly one wins (PostgreSQL; SQLite
serialises every write). A split of the envelope (``programme.services.create_envelope``) locks
the same row, so a part and an order cannot together exceed it either.

An order above what is left is refused unless the actor may override on that envelope
(``perms.can_override_on``) and says why: the reason, its author and its date are kept on the
order and in the audit trail.

Invoices make the spent figure. An invoice never brings an order's invoiced total above the
order's total: a supplier billing more than was ordered is an error to settle with the
supplier, or a new order to commit (no override for invoices, so that « spent » never exceeds
« committed » on any envelope)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tne.core.audit import create_audited, delete_audited, record, update_audited
from tne.core.formats import euros, fr_typo, plural
from tne.core.models import AuditAction, AuditSource
from tne.core.scope import scope_of
from tne.programme.models import Envelope

from .. import pricing
from ..enums import AllocationStatus, OrderStatus
from ..models import Allocation, Campaign, DeviceModel, Invoice, Order, OrderLine, Supplier
from ..perms import ORDER, can_order_on, can_override_on
from .tallies import recount_schools

ZERO = Decimal("0")


def _invalid(message) -> ValidationError:
    """A ValidationError whose French message (or messages per field) has its typography."""
    if isinstance(message, dict):
        return ValidationError({field: fr_typo(text) for field, text in message.items()})
    return ValidationError(fr_typo(message))


def _check_order_on(actor, envelope: Envelope) -> None:
    if actor is not None and not can_order_on(actor, envelope):
        raise PermissionDenied(
            f"Vous ne passez pas de commande sur l'enveloppe {envelope_label(envelope)}."
        )


def _lock_envelope(envelope: Envelope) -> Envelope:
    return (
        Envelope.objects.select_for_update(of=("self",))
        .select_related("node", "measure")
        .get(pk=envelope.pk)
    )


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).get(pk=order.pk)


def envelope_label(envelope: Envelope) -> str:
    """« M5 de Aisne (02) »: an envelope named in a message (its ``str`` carries its amount)."""
    return f"{envelope.measure.code} — {envelope.node}"


def envelope_split(envelope: Envelope) -> Decimal:
    """The parts of ``envelope`` split to its child envelopes."""
    return Envelope.objects.filter(parent=envelope).aggregate(s=Sum("amount"))["s"] or ZERO


def envelope_committed(envelope: Envelope, *, excluding: Order | None = None) -> Decimal:
    orders = Order.objects.committed().filter(envelope=envelope)
    if excluding is not None:
        orders = orders.exclude(pk=excluding.pk)
    return orders.aggregate(s=Sum("total"))["s"] or ZERO


def envelope_remaining(envelope: Envelope, *, excluding: Order | None = None) -> Decimal:
    """What is left to commit on ``envelope``: its amount − its parts − its committed orders."""
    return (
        envelope.amount
        - envelope_split(envelope)
        - envelope_committed(envelope, excluding=excluding)
    )


def _recompute_total(order: Order) -> Decimal:
    total = ZERO
    for quantity, unit_price in order.lines.values_list("quantity", "unit_price"):
        total += unit_price * quantity
    return total


def _require_draft(order: Order) -> None:
    if order.status != OrderStatus.DRAFT:
        raise _invalid(
            f"La commande {order.number} est {order.get_status_display().lower()} : "
            "ses lignes ne changent plus."
        )


# --- Drafts ----------------------------------------------------------------------------------


@transaction.atomic
def create_order(
    *,
    actor,
    number: str,
    supplier: Supplier,
    envelope: Envelope,
    campaign: Campaign | None = None,
    ordered_on: date | None = None,
    source: str = AuditSource.UI,
) -> Order:
    """A draft order (nothing committed yet). ``actor`` None is the system (the demo)."""
    _check_order_on(actor, envelope)
    if campaign is not None and campaign.measure_id != envelope.measure_id:
        raise _invalid(
            {
                "envelope": f"L'enveloppe {envelope_label(envelope)} n'est pas de la mesure "
                "de la campagne."
            }
        )
    order = Order(
        number=(number or "").strip(),
        supplier=supplier,
        envelope=envelope,
        campaign=campaign,
        ordered_on=ordered_on,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    order.full_clean()
    order.save()
    record(
        order,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        place=envelope.node,
        changes={
            "number": [None, order.number],
            "supplier": [None, supplier.pk],
            "envelope": [None, envelope.pk],
            "campaign": [None, campaign.pk if campaign else None],
        },
    )
    return order


@transaction.atomic
def set_line(
    *,
    actor,
    order: Order,
    model: DeviceModel,
    quantity: int,
    unit_price: Decimal | None = None,
    source: str = AuditSource.UI,
) -> OrderLine:
    """Adds the line of ``model`` to a draft order, or changes it when the order has one
    (one line per model). ``unit_price`` defaults to the model's price."""
    _check_order_on(actor, order.envelope)
    order = _lock_order(order)
    _require_draft(order)
    price = model.unit_price if unit_price is None else unit_price
    line = OrderLine.objects.filter(order=order, model=model).first()
    if line is None:
        line = OrderLine(order=order, model=model, quantity=quantity, unit_price=price)
        changes = {"quantity": [None, quantity], "unit_price": [None, str(price)]}
        action = AuditAction.CREATE
    else:
        changes = {}
        if line.quantity != quantity:
            changes["quantity"] = [line.quantity, quantity]
        if line.unit_price != price:
            changes["unit_price"] = [str(line.unit_price), str(price)]
        line.quantity, line.unit_price = quantity, price
        action = AuditAction.UPDATE
    line.full_clean(validate_constraints=False)
    line.save()
    if changes:
        record(line, action, actor=actor, source=source, place=order.envelope.node, changes=changes)
    _save_total(order)
    return line


@transaction.atomic
def remove_line(*, actor, line: OrderLine, source: str = AuditSource.UI) -> None:
    order = _lock_order(line.order)
    _check_order_on(actor, order.envelope)
    _require_draft(order)
    record(line, AuditAction.DELETE, actor=actor, source=source, place=order.envelope.node)
    line.delete()
    _save_total(order)


def _save_total(order: Order) -> None:
    order.total = _recompute_total(order)
    order.save(update_fields=["total", "updated_at"])


# --- Commitment ------------------------------------------------------------------------------


@transaction.atomic
def commit_order(
    *,
    actor,
    order: Order,
    override_reason: str = "",
    source: str = AuditSource.UI,
) -> Order:
    """Books the order's total against its envelope. Refused, with the amounts, when the total
    exceeds what is left, unless ``override_reason`` is given by an actor who may override on
    the envelope (kept with its author and date)."""
    _check_order_on(actor, order.envelope)
    envelope = _lock_envelope(order.envelope)  # First the envelope: serialises the commitments.
    order = _lock_order(order)
    order.envelope = envelope
    if order.status != OrderStatus.DRAFT:
        raise _invalid(f"La commande {order.number} est déjà {order.get_status_display().lower()}.")
    total = _recompute_total(order)
    if total <= 0:
        raise _invalid(f"La commande {order.number} n'a aucune ligne : rien à engager.")
    remaining = envelope_remaining(envelope, excluding=order)
    reason = (override_reason or "").strip()
    changes = {"status": [OrderStatus.DRAFT, OrderStatus.COMMITTED], "total": [None, str(total)]}
    if total > remaining:
        if not reason:
            raise _invalid(
                f"La commande {order.number} ({euros(total)}) dépasse ce qui reste sur "
                f"l'enveloppe {envelope_label(envelope)} : {euros(max(remaining, ZERO))} "
                f"(sur {euros(envelope.amount)}). Réduisez-la, ou engagez-la en dérogation "
                "en motivant la dérogation."
            )
        if actor is not None and not can_override_on(actor, envelope):
            raise PermissionDenied(
                "Vous ne pouvez pas engager de commande au-delà de l'enveloppe "
                f"{envelope_label(envelope)}."
            )
        order.override_reason = reason
        order.override_by = actor if actor is not None and actor.is_authenticated else None
        order.override_at = timezone.now()
        changes["override_reason"] = [None, reason]
        changes["override_by"] = [None, order.override_by_id]
        changes["exceeds_by"] = [None, str(total - remaining)]
    order.total = total
    order.status = OrderStatus.COMMITTED
    order.ordered_on = order.ordered_on or timezone.localdate()
    order.save()
    record(
        order, AuditAction.UPDATE, actor=actor, source=source, place=envelope.node, changes=changes
    )
    return order


def _delivered(order: Order) -> int:
    return order.lines.aggregate(s=Sum("delivered"))["s"] or 0


def cancel_refusal(order: Order) -> str:
    """Why ``order`` cannot be cancelled (empty: it can)."""
    return fr_typo(_cancel_refusal(order))


def _cancel_refusal(order: Order) -> str:
    if order.status == OrderStatus.CANCELLED:
        return f"La commande {order.number} est déjà annulée."
    delivered = _delivered(order)
    if delivered:
        return (
            f"La commande {order.number} a déjà "
            f"{plural(delivered, 'matériel livré|matériels livrés')} : "
            "elle ne peut plus être annulée."
        )
    if order.invoices.exists():
        return f"La commande {order.number} a des factures : elle ne peut plus être annulée."
    return ""


@transaction.atomic
def cancel_order(*, actor, order: Order, source: str = AuditSource.UI) -> Order:
    """Cancels a draft or committed order: its commitment is released, and the allocations it
    ordered go back to « prévue ». Refused once a device is delivered against it or an invoice
    is entered."""
    _check_order_on(actor, order.envelope)
    _lock_envelope(order.envelope)
    order = _lock_order(order)
    if refusal := cancel_refusal(order):
        raise _invalid(refusal)
    previous = order.status
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    allocations = Allocation.objects.filter(order=order, status=AllocationStatus.ORDERED)
    school_ids = set(allocations.values_list("school_id", flat=True))
    released = allocations.update(status=AllocationStatus.PLANNED, order=None, ordered_on=None)
    record(
        order,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        place=order.envelope.node,
        changes={"status": [previous, OrderStatus.CANCELLED], "allocations": [released, 0]},
    )
    if school_ids:
        recount_schools(school_ids)
    return order


# --- Invoices --------------------------------------------------------------------------------


@transaction.atomic
def add_invoice(
    *,
    actor,
    order: Order,
    number: str,
    issued_on: date,
    amount: Decimal,
    source: str = AuditSource.UI,
) -> Invoice:
    """An invoice of a committed order; the order's invoices together never exceed its total."""
    _check_order_on(actor, order.envelope)
    order = _lock_order(order)
    if order.status != OrderStatus.COMMITTED:
        raise _invalid(
            f"La commande {order.number} n'est pas engagée : on n'y saisit pas de facture."
        )
    invoiced = order.invoices.aggregate(s=Sum("amount"))["s"] or ZERO
    if amount is not None and invoiced + amount > order.total:
        raise _invalid(
            {
                "amount": f"Avec cette facture, la commande {order.number} serait facturée "
                f"{euros(invoiced + amount)} pour {euros(order.total)} commandés : il reste "
                f"{euros(order.total - invoiced)} à facturer."
            }
        )
    invoice = Invoice(
        order=order,
        number=(number or "").strip(),
        issued_on=issued_on,
        amount=amount,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    invoice.full_clean()
    invoice.save()
    record(
        invoice,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        place=order.envelope.node,
        changes={
            "number": [None, invoice.number],
            "amount": [None, str(amount)],
            "issued_on": [None, issued_on.isoformat()],
        },
    )
    return invoice


# --- A campaign's order ----------------------------------------------------------------------


def campaign_lines(campaign: Campaign, count: int) -> list[tuple[DeviceModel, int]]:
    """The models and quantities that equip ``count`` allocations of the campaign's kit: each
    line's model, else its category's reference model. Raises when a line has neither."""
    kit = pricing.with_items(type(campaign.kit).objects.filter(pk=campaign.kit_id)).get()
    quantities: dict[int, list] = {}
    for item in kit.items.all():
        model = pricing.item_model(item)
        if model is None:
            raise _invalid(
                f"Le kit {kit} n'est pas chiffré : la catégorie {item.category} n'a ni modèle "
                "ni modèle de référence."
            )
        entry = quantities.setdefault(model.pk, [model, 0])
        entry[1] += item.quantity * count
    return [(model, quantity) for model, quantity in quantities.values()]


@transaction.atomic
def order_campaign(
    *,
    campaign: Campaign,
    envelope: Envelope,
    supplier: Supplier,
    number: str,
    actor,
    override_reason: str = "",
    source: str = AuditSource.UI,
) -> Order:
    """Orders the campaign's kit for each of its planned allocations in one committed order,
    then moves those allocations to « commandée » (with the order and the date)."""
    _check_order_on(actor, envelope)
    if not campaign.node.path.startswith(envelope.node.path):
        raise _invalid(
            {
                "envelope": f"L'enveloppe {envelope_label(envelope)} n'est pas d'un territoire "
                "qui couvre "
                f"la campagne ({campaign.node})."
            }
        )
    planned = list(
        Allocation.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, status=AllocationStatus.PLANNED)
        .order_by("pk")
        .values_list("pk", "school_id")
    )
    if not planned:
        raise _invalid(f"La campagne {campaign} n'a aucune affectation prévue à commander.")
    lines = campaign_lines(campaign, len(planned))
    order = create_order(
        actor=actor,
        number=number,
        supplier=supplier,
        envelope=envelope,
        campaign=campaign,
        source=source,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, model=model, quantity=quantity, unit_price=model.unit_price)
            for model, quantity in lines
        ]
    )
    _save_total(order)
    order = commit_order(actor=actor, order=order, override_reason=override_reason, source=source)
    Allocation.objects.filter(pk__in=[pk for pk, _ in planned]).update(
        status=AllocationStatus.ORDERED, order=order, ordered_on=order.ordered_on
    )
    recount_schools({school_id for _, school_id in planned})
    return order


def ancestor_paths(path: str) -> list[str]:
    """The paths of the node at ``path`` and of every node above it."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def envelopes_for_campaign(user, campaign: Campaign):
    """The envelopes of the campaign's measure held at or above its node on which ``user`` may
    order (one query)."""
    return (
        Envelope.objects.filter(
            scope_of(user, ORDER).node_q("node__"),
            measure_id=campaign.measure_id,
            node__path__in=ancestor_paths(campaign.node.path),
        )
        .select_related("node", "measure", "period")
        .order_by("-node__depth", "period__starts_on")
    )


# --- Suppliers (set by superusers in the administration) --------------------------------------


@transaction.atomic
def supplier_create(
    *, name: str, siret: str = "", actor=None, source: str = AuditSource.ADMIN
) -> Supplier:
    return create_audited(
        Supplier(name=name.strip(), siret=siret.strip()), actor=actor, source=source
    )


@transaction.atomic
def supplier_update(
    *, supplier: Supplier, values: dict, actor=None, source: str = AuditSource.ADMIN
) -> Supplier:
    return update_audited(supplier, values, actor=actor, source=source)


@transaction.atomic
def supplier_delete(*, supplier: Supplier, actor=None, source: str = AuditSource.ADMIN) -> None:
    """Deletes a supplier no order names (orders protect it)."""
    delete_audited(supplier, actor=actor, source=source)
