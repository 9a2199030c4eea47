"""Allocation runs: the inputs of one run of the engine, who ran it, and its decision for each
candidate, kept so that any decision can be explained later."""

from django.conf import settings
from django.db import models

from tne.core.audit import Place
from tne.core.models import Job
from tne.core.scope import scope_of
from tne.equipment.models import Category
from tne.territory.models import School, TerritoryNode

from ..enums import RunStatus, UnservedReason
from ..perms import ALLOCATE, VIEW
from .pupils import Pupil


class AllocationRunQuerySet(models.QuerySet):
    def visible_to(self, user, permission=ALLOCATE):
        return self.filter(scope_of(user, permission).node_q("node__"))


class AllocationRun(models.Model):
    """One run of the allocation engine over the candidates of a territory node: the stock
    and/or the budget, the département caps, and snapshots of the weights and quotas it used.
    Its result is the ``RunDecision`` of each candidate. A run is applied once: its served
    pupils then get an offer (``Loan`` « proposé »)."""

    node = models.ForeignKey(
        TerritoryNode, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name="type de matériel prêté",
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField("intitulé", max_length=200, blank=True)
    stock = models.PositiveIntegerField("stock prêtable", null=True, blank=True)
    budget = models.DecimalField(
        "budget (€ TTC)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit_cost = models.DecimalField(
        "coût unitaire (€ TTC)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    departement_caps = models.JSONField("plafonds par département", default=dict, blank=True)
    weights = models.JSONField("poids utilisés", default=dict, blank=True)
    quotas = models.JSONField("quotas utilisés", default=dict, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    job = models.ForeignKey(
        Job, verbose_name="traitement", null=True, blank=True, on_delete=models.SET_NULL
    )
    error = models.TextField("erreur", blank=True)
    candidates = models.PositiveIntegerField("candidats", default=0)
    capacity = models.PositiveIntegerField("places", default=0)
    served = models.PositiveIntegerField("servis", default=0)
    total_priority = models.PositiveBigIntegerField("priorité servie", default=0)
    unserved_by_reason = models.JSONField("non servis par motif", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("lancé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="appliqué par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    # What applying the run did: the offers made, and the served pupils skipped because they
    # had an open loan of that kind by then.
    offers_made = models.PositiveIntegerField("propositions faites", default=0)
    offers_skipped = models.PositiveIntegerField("servis déjà pourvus", default=0)

    objects = AllocationRunQuerySet.as_manager()

    class Meta:
        verbose_name = "attribution"
        verbose_name_plural = "attributions"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label or f"Attribution n° {self.pk} — {self.node}"

    def audit_place(self):
        return Place(path=self.node.path)


class RunDecisionQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(scope_of(user, permission).school_q("school__"))


class RunDecision(models.Model):
    """The decision of a run for one candidate: the priority and its breakdown at the time,
    served or not, and the constraint that stopped them. ``rank`` is the candidate's place in
    the run's order (priority, then the documented tie rule): the waiting list of a school is
    its unserved candidates by rank."""

    run = models.ForeignKey(
        AllocationRun,
        verbose_name="attribution",
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    pupil = models.ForeignKey(
        Pupil, verbose_name="élève", on_delete=models.CASCADE, related_name="decisions"
    )
    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveIntegerField("priorité")
    breakdown = models.JSONField("détail de la priorité", default=list)
    rank = models.PositiveIntegerField("rang")
    served = models.BooleanField("servi")
    reason = models.CharField(
        "motif", max_length=20, choices=UnservedReason.choices, blank=True, default=""
    )

    objects = RunDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision d'attribution"
        verbose_name_plural = "décisions d'attribution"
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "pupil"], name="loans_one_decision_per_pupil")
        ]
        indexes = [
            models.Index(fields=["run", "served", "rank"]),
            models.Index(fields=["run", "school", "rank"]),
        ]

    def __str__(self):
        return f"{self.run} — élève {self.pupil.code}"
