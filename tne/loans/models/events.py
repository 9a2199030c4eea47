"""The timeline of a loan: one row per step of its life after the offer (accepted, declined,
handed out, extended, reminded, returned, lost…), written by the lifecycle services with the
change itself, so that the loan page reads its whole story in one query. The audit trail keeps
the same changes for « Historique »; these rows keep what a person of the school reads: the
step, when, by whom, and a short note (never a guardian's name, phone or e-mail)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .loans import Loan


class LoanEventKind(models.TextChoices):
    ACCEPTED = "ACCEPTED", "Proposition acceptée par la famille"
    PREPARED = "PREPARED", "Convention préparée et montrée"
    RELEASED = "RELEASED", "Matériel réservé rendu au stock, convention non signée"
    DECLINED = "DECLINED", "Proposition déclinée"
    HANDED_OUT = "HANDED_OUT", "Matériel remis, convention signée"
    EXTENDED = "EXTENDED", "Date de retour reportée"
    REMINDED = "REMINDED", "Relance envoyée"
    RETURNED = "RETURNED", "Matériel rendu, reçu signé"
    LOST = "LOST", "Perte déclarée"
    STOLEN = "STOLEN", "Vol déclaré"
    DAMAGED = "DAMAGED", "Matériel rendu hors d'usage"


class LoanEvent(models.Model):
    loan = models.ForeignKey(
        Loan, verbose_name="prêt", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("étape", max_length=12, choices=LoanEventKind.choices)
    # The services write it (``timezone.now`` by default; the reminders give their run's time).
    at = models.DateTimeField("le", default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("détail", max_length=255, blank=True)

    class Meta:
        verbose_name = "étape d'un prêt"
        verbose_name_plural = "étapes des prêts"
        ordering = ["loan", "at", "pk"]
        indexes = [models.Index(fields=["loan", "at"])]

    def __str__(self):
        return f"Prêt n° {self.loan_id} — {self.get_kind_display()}"
