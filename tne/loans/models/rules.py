"""The rules a coordinator sets for their territory: the weights of the priority score and the
per-school quotas of the allocation."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tne.core.audit import Place
from tne.territory.models import School, TerritoryNode


class PriorityWeights(models.Model):
    """The points of the priority formula, set on a node of the territory: a school uses the
    weights of its nearest node that has some, else the programme's defaults (the field
    defaults). The formula is a plain sum, shown to everyone as its breakdown
    (``tne.loans.priority``)."""

    node = models.OneToOneField(
        TerritoryNode,
        verbose_name="territoire",
        on_delete=models.CASCADE,
        related_name="loan_weights",
    )
    no_device = models.PositiveSmallIntegerField("aucun équipement à la maison", default=40)
    shared_device = models.PositiveSmallIntegerField("équipement partagé", default=20)
    per_sharing_child = models.PositiveSmallIntegerField(
        "par enfant qui partage l'équipement", default=5
    )
    no_internet = models.PositiveSmallIntegerField("pas d'accès à internet", default=30)
    mobile_internet = models.PositiveSmallIntegerField("internet mobile seulement", default=15)
    rep_plus = models.PositiveSmallIntegerField("école en REP+", default=20)
    rep = models.PositiveSmallIntegerField("école en REP", default=10)
    low_ips = models.PositiveSmallIntegerField("IPS de l'école sous le seuil", default=10)
    ips_threshold = models.DecimalField(
        "seuil d'IPS", max_digits=5, decimal_places=1, default=Decimal("90.0")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "poids de priorité"
        verbose_name_plural = "poids de priorité"

    def __str__(self):
        return f"Poids de priorité — {self.node}"

    def audit_place(self):
        return Place(path=self.node.path)


class SchoolQuota(models.Model):
    """The minimum and maximum number of pupils of a school an allocation serves."""

    school = models.OneToOneField(
        School, verbose_name="école", on_delete=models.CASCADE, related_name="loan_quota"
    )
    minimum = models.PositiveIntegerField("minimum", default=0)
    maximum = models.PositiveIntegerField("maximum", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "quota d'école"
        verbose_name_plural = "quotas des écoles"
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum__isnull=True) | Q(maximum__gte=F("minimum")),
                name="loans_quota_min_not_above_max",
            )
        ]

    def __str__(self):
        return f"Quota — {self.school}"

    def audit_place(self):
        return self.school.audit_place()
