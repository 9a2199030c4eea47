"""Deployment campaigns: kits allocated to classes (or teachers), followed from the order to the
service, signed off by the school and co-signed by the local authority owning the building."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tne.core.models import Document, Signature
from tne.core.scope import scope_of
from tne.programme.models import Measure
from tne.territory.models import School, SchoolClass, Staff, TerritoryNode

from ..enums import AllocationStatus, SignoffDecision, SignoffParty
from ..perms import VIEW
from .catalogue import KitTemplate


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        """The campaigns of the user's territory, and those above it that reach their schools
        (a campaign of Aisne is seen by a school head of Aisne through its allocations)."""
        scope = scope_of(user, permission)
        if scope.everything:
            return self
        return self.filter(
            Q(scope.node_q("node__"))
            | Q(pk__in=Allocation.objects.filter(scope.school_q("school__")).values("campaign"))
        )


class Campaign(models.Model):
    """A wave of allocations of one kit for one measure on a node of the territory
    (« Kits hybrides — Saint-Quentin — 2026-2027 »)."""

    name = models.CharField("nom", max_length=200)
    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="+"
    )
    kit = models.ForeignKey(
        KitTemplate, verbose_name="kit", on_delete=models.PROTECT, related_name="campaigns"
    )
    node = models.ForeignKey(
        TerritoryNode, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("note", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne de déploiement"
        verbose_name_plural = "campagnes de déploiement"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name


class AllocationQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(scope_of(user, permission).school_q("school__"))

    def live(self):
        return self.exclude(status__in=[AllocationStatus.CANCELLED, AllocationStatus.RETURNED])


class Allocation(models.Model):
    """One kit for one class (or one teacher, M7, or a whole school), with the dates of each step
    and the two sign-offs of its installation."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="allocations"
    )
    kit = models.ForeignKey(
        KitTemplate, verbose_name="kit", on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name="classe",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name="enseignant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.ForeignKey(
        "equipment.Order",
        verbose_name="commande",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocations",
    )
    status = models.CharField(
        "étape",
        max_length=12,
        choices=AllocationStatus.choices,
        default=AllocationStatus.PLANNED,
    )
    ordered_on = models.DateField("commandée le", null=True, blank=True)
    delivered_on = models.DateField("livrée le", null=True, blank=True)
    installed_on = models.DateField("installée le", null=True, blank=True)
    in_service_on = models.DateField("en service le", null=True, blank=True)
    returned_on = models.DateField("restituée le", null=True, blank=True)
    school_signed_at = models.DateTimeField("validée par l'école le", null=True, blank=True)
    authority_signed_at = models.DateTimeField(
        "contresignée par la collectivité le", null=True, blank=True
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "affectation"
        verbose_name_plural = "affectations"
        ordering = ["school_id", "school_class_id", "pk"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["measure", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kit", "school_class"],
                condition=Q(school_class__isnull=False)
                & ~Q(status__in=[AllocationStatus.CANCELLED, AllocationStatus.RETURNED]),
                name="equipment_allocation_one_kit_per_class",
                violation_error_message="Cette classe a déjà ce kit.",
            ),
            models.UniqueConstraint(
                fields=["kit", "staff"],
                condition=Q(staff__isnull=False)
                & ~Q(status__in=[AllocationStatus.CANCELLED, AllocationStatus.RETURNED]),
                name="equipment_allocation_one_kit_per_teacher",
                violation_error_message="Cet enseignant a déjà ce kit.",
            ),
        ]

    def __str__(self):
        who = self.school_class or self.staff or self.school
        return f"{self.kit} — {who}"


class Signoff(models.Model):
    """A sign-off of an allocation's installation by one party: the school head (accept, or
    refuse with the reason, which sends it back) or the local authority owning the building
    (co-signature). The signature proves who, when and what (the installation report)."""

    allocation = models.ForeignKey(
        Allocation, verbose_name="affectation", on_delete=models.PROTECT, related_name="signoffs"
    )
    party = models.CharField("partie", max_length=10, choices=SignoffParty.choices)
    decision = models.CharField("décision", max_length=10, choices=SignoffDecision.choices)
    remarks = models.TextField("remarques ou motif du refus", blank=True)
    photo = models.FileField(
        "photo", upload_to="installations/%Y/%m/", max_length=255, null=True, blank=True
    )
    report = models.ForeignKey(
        Document,
        verbose_name="procès-verbal d'installation",
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A ForeignKey, not one-to-one: a bulk co-signature is one signature over one document that
    # lists every installation it co-signs, and each of them has its own sign-off.
    signature = models.ForeignKey(
        Signature, verbose_name="signature", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "validation d'installation"
        verbose_name_plural = "validations d'installation"
        ordering = ["allocation", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=SignoffDecision.REFUSED) | ~Q(remarks=""),
                name="equipment_refusal_has_reason",
                violation_error_message="Un refus doit dire son motif.",
            ),
            # Each party accepts an installation once (the services lock the allocation row;
            # this is the database's word on it).
            models.UniqueConstraint(
                fields=["allocation", "party"],
                condition=Q(decision=SignoffDecision.ACCEPTED),
                name="equipment_signoff_one_acceptance_per_party",
                violation_error_message="Cette installation est déjà validée par cette partie.",
            ),
        ]

    def __str__(self):
        return f"{self.get_party_display()} — {self.get_decision_display()} — {self.allocation}"


class SchoolTally(models.Model):
    """How many allocations of a measure a school has at each step: kept by the services in the
    same transaction as the allocations they change, so that the national and départemental
    progress dashboards sum tens of thousands of rows instead of counting hundreds of thousands.
    ``recount_schools`` rebuilds it from the allocations (and a test checks they agree)."""

    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.CASCADE, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField("étape", max_length=12, choices=AllocationStatus.choices)
    count = models.PositiveIntegerField("affectations", default=0)
    # The school's département, commune and circonscription, copied by ``recount_schools`` so
    # that the progress sums the tallies per node without joining 45,000 schools.
    departement = models.ForeignKey(
        TerritoryNode,
        verbose_name="département",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    commune = models.ForeignKey(
        TerritoryNode,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    circonscription = models.ForeignKey(
        TerritoryNode,
        verbose_name="circonscription",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = "décompte d'affectations"
        verbose_name_plural = "décomptes d'affectations"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "measure", "status"], name="equipment_tally_unique"
            )
        ]
        indexes = [
            models.Index(fields=["measure", "status"]),
            models.Index(
                # Covers the national sum per département (an index-only scan).
                fields=["measure", "departement", "status", "count"],
                name="equipment_tally_dep",
            ),
        ]

    def __str__(self):
        return f"{self.school_id} {self.measure_id} {self.status}: {self.count}"
