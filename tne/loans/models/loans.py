"""Loans of a device to a pupil's family: offered, accepted, handed out against the signed
« convention de prêt », returned (signed too) or lost, closed."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tne.core.models import Document, Signature
from tne.core.scope import scope_of
from tne.equipment.models import Asset, Category
from tne.territory.models import School

from ..enums import OPEN_STATUSES, LoanOutcome, LoanStatus, ReturnCondition
from ..perms import VIEW
from .pupils import Pupil
from .runs import AllocationRun


class LoanQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(scope_of(user, permission).school_q("school__"))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def active(self):
        return self.filter(status=LoanStatus.ACTIVE)

    def overdue(self, today):
        return self.filter(status=LoanStatus.ACTIVE, due_on__lt=today)


class Loan(models.Model):
    """One loan of one kind of device to one pupil. The database holds the two rules that
    matter whatever page or job writes: a device is named by at most one open loan (offered,
    accepted with its convention prepared, or active), and a pupil in at most one open loan per
    kind of device (partial unique indexes, on SQLite and
    PostgreSQL alike)."""

    pupil = models.ForeignKey(
        Pupil, verbose_name="élève", on_delete=models.PROTECT, related_name="loans"
    )
    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name="type de matériel", on_delete=models.PROTECT, related_name="+"
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name="matériel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    status = models.CharField(
        "état", max_length=10, choices=LoanStatus.choices, default=LoanStatus.OFFERED
    )
    run = models.ForeignKey(
        AllocationRun,
        verbose_name="attribution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loans",
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offered_at = models.DateTimeField("proposé le", auto_now_add=True)
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)
    handed_out_at = models.DateTimeField("remis le", null=True, blank=True)
    due_on = models.DateField("à rendre le", null=True, blank=True)
    returned_at = models.DateTimeField("rendu le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    outcome = models.CharField(
        "issue", max_length=10, choices=LoanOutcome.choices, blank=True, default=""
    )
    return_condition = models.CharField(
        "état au retour", max_length=10, choices=ReturnCondition.choices, blank=True, default=""
    )
    return_note = models.CharField("remarque au retour", max_length=255, blank=True)
    agreement = models.ForeignKey(
        Document,
        verbose_name="convention de prêt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreement_signature = models.ForeignKey(
        Signature,
        verbose_name="signature de la convention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_receipt = models.ForeignKey(
        Document,
        verbose_name="reçu de retour",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_signature = models.ForeignKey(
        Signature,
        verbose_name="signature du retour",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminders_sent = models.PositiveSmallIntegerField("relances envoyées", default=0)
    last_reminder_at = models.DateTimeField("dernière relance", null=True, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = "prêt"
        verbose_name_plural = "prêts"
        ordering = ["-offered_at", "-pk"]
        constraints = [
            # From the convention prepared (accepted) to the return: one loan names a device.
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(status__in=OPEN_STATUSES),
                name="loans_one_open_loan_per_device",
                violation_error_message="Ce matériel est déjà réservé pour un autre prêt.",
            ),
            models.UniqueConstraint(
                fields=["pupil", "category"],
                condition=Q(status__in=OPEN_STATUSES),
                name="loans_one_open_loan_per_pupil_and_kind",
                violation_error_message="Cet élève a déjà un prêt en cours de ce type de matériel.",
            ),
            models.CheckConstraint(
                condition=~Q(status=LoanStatus.ACTIVE) | Q(asset__isnull=False),
                name="loans_active_loan_has_a_device",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "due_on"]),
            # The dashboards read these columns from the indexes alone (PostgreSQL): the loans
            # overdue (active, due before today) of each school, and the devices handed out
            # (their cost). Their other figures are the schools' tallies (SchoolLoanTally).
            models.Index(
                fields=["school", "due_on"],
                condition=Q(status=LoanStatus.ACTIVE),
                name="loans_loan_active_due",
            ),
            models.Index(
                fields=["school", "asset"],
                condition=Q(status__in=[LoanStatus.ACTIVE, LoanStatus.CLOSED]),
                name="loans_loan_dash_handed_out",
            ),
        ]

    def __str__(self):
        return f"Prêt n° {self.pk} — élève {self.pupil.code}"

    def audit_place(self):
        return self.school.audit_place()
