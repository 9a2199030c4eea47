"""Purchase orders charged to a measure's envelope, their lines and invoices: the budget ledger
(committed = the committed orders' totals; spent = the invoices)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from tne.core.scope import scope_of
from tne.programme.models import Envelope

from ..enums import OrderStatus
from ..perms import VIEW_PROGRESS
from .catalogue import DeviceModel


class Supplier(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        verbose_name = "fournisseur"
        verbose_name_plural = "fournisseurs"
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW_PROGRESS):
        """The orders charged to envelopes of nodes in the user's territory (authority)."""
        return self.filter(scope_of(user, permission).node_q("envelope__node__"))

    def committed(self):
        return self.filter(status=OrderStatus.COMMITTED)


class Order(models.Model):
    """A purchase order charged to one envelope (a measure on a node). Committing it books its
    total against the envelope: never above what is left unless ``override_reason`` says why
    (with its author and date)."""

    number = models.CharField("numéro de commande", max_length=40, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name="fournisseur", on_delete=models.PROTECT, related_name="orders"
    )
    envelope = models.ForeignKey(
        Envelope, verbose_name="enveloppe", on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "equipment.Campaign",
        verbose_name="campagne",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    status = models.CharField(
        "état", max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    ordered_on = models.DateField("date de commande", null=True, blank=True)
    total = models.DecimalField(
        "montant TTC (€)", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    override_reason = models.TextField("motif de la dérogation", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="dérogation accordée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_at = models.DateTimeField("dérogation accordée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("saisie le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "commande"
        verbose_name_plural = "commandes"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["envelope", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="equipment_order_total"),
        ]

    def __str__(self):
        return f"Commande {self.number}"


class OrderLine(models.Model):
    """A line of an order: a quantity of a model at a unit price; ``delivered`` counts the devices
    entered in the register against it (never above ``quantity``)."""

    order = models.ForeignKey(
        Order, verbose_name="commande", on_delete=models.CASCADE, related_name="lines"
    )
    model = models.ForeignKey(
        DeviceModel, verbose_name="modèle", on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField("quantité", validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        "prix unitaire TTC (€)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    delivered = models.PositiveIntegerField("livrés", default=0, editable=False)

    class Meta:
        verbose_name = "ligne de commande"
        verbose_name_plural = "lignes de commande"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="equipment_line_qty"),
            models.CheckConstraint(
                condition=Q(delivered__lte=F("quantity")), name="equipment_line_not_overdelivered"
            ),
            models.UniqueConstraint(fields=["order", "model"], name="equipment_line_unique"),
        ]

    def __str__(self):
        return f"{self.order.number} — {self.quantity} × {self.model.reference}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class Invoice(models.Model):
    """An invoice against an order: what was actually spent."""

    order = models.ForeignKey(
        Order, verbose_name="commande", on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField("numéro de facture", max_length=40)
    issued_on = models.DateField("date de facture")
    amount = models.DecimalField(
        "montant TTC (€)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    class Meta:
        verbose_name = "facture"
        verbose_name_plural = "factures"
        ordering = ["issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "number"], name="equipment_invoice_unique_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="equipment_invoice_positive"),
        ]

    def __str__(self):
        return f"Facture {self.number}"
