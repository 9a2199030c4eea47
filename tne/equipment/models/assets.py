"""The asset register: every physical device, where it is or who holds it, what paid for it, and
its whole history."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tne.core.scope import scope_of
from tne.territory.models import School, SchoolClass, Staff, TerritoryNode

from ..enums import AssetEventKind, AssetSource, AssetState, IncidentKind, IncidentStatus
from ..perms import VIEW
from .catalogue import DeviceModel


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        """The devices at a school of the user's scope, and those in stock on a node of their
        territory (authority)."""
        scope = scope_of(user, permission)
        if scope.everything:
            return self
        # Subqueries of ids rather than joins under the OR: PostgreSQL then filters a walk of
        # the tag index with two hashed sets, instead of one index lookup per row.
        schools = School.objects.filter(scope.school_q()).values("pk")
        nodes = TerritoryNode.objects.filter(scope.node_q()).values("pk")
        return self.filter(
            Q(school_id__in=schools) | Q(school__isnull=True, stock_node_id__in=nodes)
        )


class Asset(models.Model):
    """A device of the register. ``serial_number`` is the maker's (unique), ``asset_tag`` the
    programme's inventory number printed on its label (unique). A device is at a school (and
    maybe a class), held by a person (a teacher; later a pupil through a loan), or in stock on a
    node (the département's store)."""

    serial_number = models.CharField("numéro de série", max_length=80, unique=True)
    asset_tag = models.CharField("numéro d'inventaire", max_length=40, unique=True)
    model = models.ForeignKey(
        DeviceModel, verbose_name="modèle", on_delete=models.PROTECT, related_name="assets"
    )
    state = models.CharField(
        "état", max_length=10, choices=AssetState.choices, default=AssetState.IN_STOCK
    )
    stock_node = models.ForeignKey(
        TerritoryNode,
        verbose_name="stock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Le territoire dont le stock garde le matériel tant qu'il n'est pas à une école.",
    )
    school = models.ForeignKey(
        School,
        verbose_name="école",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name="classe",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    holder = models.ForeignKey(
        Staff,
        verbose_name="détenteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    allocation = models.ForeignKey(
        "equipment.Allocation",
        verbose_name="affectation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    order_line = models.ForeignKey(
        "equipment.OrderLine",
        verbose_name="ligne de commande",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    delivered_on = models.DateField("livré le", null=True, blank=True)
    warranty_ends_on = models.DateField("fin de garantie", null=True, blank=True)
    source = models.CharField(
        "origine", max_length=10, choices=AssetSource.choices, default=AssetSource.MANUAL
    )
    note = models.CharField("note", max_length=255, blank=True)
    created_at = models.DateTimeField("entré au registre le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        verbose_name = "matériel"
        verbose_name_plural = "matériels"
        ordering = ["asset_tag"]
        indexes = [
            models.Index(fields=["school", "state", "asset_tag"]),
            models.Index(fields=["state", "asset_tag"]),
            models.Index(fields=["stock_node", "state"]),
            # The devices in stock per school and model, from the index alone (PostgreSQL): what
            # the loans dashboards and offers count as lendable (a département's schools).
            models.Index(
                fields=["school", "model"],
                condition=Q(state=AssetState.IN_STOCK),
                name="equipment_asset_in_stock",
            ),
            models.Index(fields=["holder"]),
            models.Index(fields=["allocation"]),
        ]

    def __str__(self):
        return f"{self.asset_tag} — {self.model.name} ({self.serial_number})"


class AssetEvent(models.Model):
    """One line of a device's history: what happened, from which state and place to which, who
    did it, when. Written by the services with the change itself."""

    asset = models.ForeignKey(
        Asset, verbose_name="matériel", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    kind = models.CharField("événement", max_length=12, choices=AssetEventKind.choices)
    from_state = models.CharField(
        "état avant", max_length=10, choices=AssetState.choices, blank=True
    )
    to_state = models.CharField("état après", max_length=10, choices=AssetState.choices, blank=True)
    school = models.ForeignKey(
        School,
        verbose_name="école",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("détail", max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "événement d'un matériel"
        verbose_name_plural = "historique des matériels"
        ordering = ["asset", "at", "pk"]

    def __str__(self):
        return f"{self.asset_id} {self.get_kind_display()}"


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(asset__in=Asset.objects.visible_to(user, permission))

    def open(self):
        return self.filter(status__in=[IncidentStatus.OPEN, IncidentStatus.IN_REPAIR])


class Incident(models.Model):
    """A breakdown, damage, loss or theft of a device, reported by its school, and how it ended
    (repaired, swapped for a replacement that inherits its place, or closed)."""

    asset = models.ForeignKey(
        Asset, verbose_name="matériel", on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField("nature", max_length=10, choices=IncidentKind.choices)
    status = models.CharField(
        "suivi", max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    description = models.TextField("description")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signalé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField("signalé le", auto_now_add=True)
    replacement = models.ForeignKey(
        Asset,
        verbose_name="matériel de remplacement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField("suite donnée", blank=True)
    resolved_at = models.DateTimeField("clos le", null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = "incident"
        verbose_name_plural = "incidents"
        ordering = ["-reported_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.asset}"
