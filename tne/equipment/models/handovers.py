"""M7: the hand-over of a new teacher's kit and its return, each with its signed receipt."""

from django.conf import settings
from django.db import models

from tne.core.models import Document, Signature

from .deployments import Allocation


class HandoverKind(models.TextChoices):
    HAND_OVER = "HAND_OVER", "Remise"
    RETURN = "RETURN", "Restitution"


class Handover(models.Model):
    """A receipt signed by the teacher: the devices handed over to them (or given back, with the
    state each came back in), the PDF naming each one and its signature."""

    allocation = models.ForeignKey(
        Allocation, verbose_name="affectation", on_delete=models.PROTECT, related_name="handovers"
    )
    kind = models.CharField("type", max_length=10, choices=HandoverKind.choices)
    # [{"asset": id, "tag": …, "serial": …, "model": …, "outcome": "GOOD"|"REPAIR"|"LOST"|""}]
    lines = models.JSONField("matériels", default=list)
    receipt = models.ForeignKey(
        Document, verbose_name="reçu", on_delete=models.PROTECT, related_name="+"
    )
    signature = models.ForeignKey(
        Signature, verbose_name="signature", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistrée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "remise ou restitution"
        verbose_name_plural = "remises et restitutions"
        ordering = ["allocation", "created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.allocation}"
