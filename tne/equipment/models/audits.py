"""The socle audit (M4): for an elementary school and each of its classes, what it has of the
« socle numérique de base ». The rules that turn it into a gap, items and a cost are in
:mod:`tne.equipment.socle`."""

from django.conf import settings
from django.db import models

from tne.core.scope import scope_of
from tne.territory.models import School, SchoolClass, SchoolYear

from ..perms import VIEW


class SocleAuditSource(models.TextChoices):
    MANUAL = "MANUAL", "Saisie"
    REGISTER = "REGISTER", "Pré-rempli depuis le registre"


class SchoolAuditQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(scope_of(user, permission).school_q("school__"))


class SchoolAudit(models.Model):
    """A school's audit for a school year: the criteria of the school and of its head; each
    class's criteria are a :class:`ClassAudit`."""

    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.CASCADE, related_name="+"
    )
    year = models.ForeignKey(
        SchoolYear, verbose_name="année scolaire", on_delete=models.PROTECT, related_name="+"
    )
    has_shared_pack = models.BooleanField(
        "lot mutualisé de tablettes ou d'ordinateurs portables", default=False
    )
    head_has_laptop = models.BooleanField("ordinateur portable de la direction", default=False)
    head_has_internet = models.BooleanField("connexion internet de la direction", default=False)
    head_has_printer = models.BooleanField(
        "imprimante-scanner en réseau de la direction", default=False
    )
    source = models.CharField(
        "origine", max_length=10, choices=SocleAuditSource.choices, default=SocleAuditSource.MANUAL
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="renseigné par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = SchoolAuditQuerySet.as_manager()

    class Meta:
        verbose_name = "audit du socle d'une école"
        verbose_name_plural = "audits du socle des écoles"
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="equipment_audit_unique")
        ]

    def __str__(self):
        return f"Audit du socle — {self.school} — {self.year}"

    def audit_place(self):
        """Filed under its school (its commune, and itself) in the audit trail."""
        return self.school.audit_place()


class ClassAudit(models.Model):
    """What one class has of the socle."""

    audit = models.ForeignKey(
        SchoolAudit, verbose_name="audit", on_delete=models.CASCADE, related_name="classes"
    )
    school_class = models.OneToOneField(
        SchoolClass, verbose_name="classe", on_delete=models.CASCADE, related_name="+"
    )
    has_display = models.BooleanField(
        "vidéoprojecteur fixe ou écran interactif (TNI, VPI)", default=False
    )
    has_document_camera = models.BooleanField("visualiseur (facultatif)", default=False)
    has_laptop = models.BooleanField("ordinateur portable de l'enseignant", default=False)
    has_internet = models.BooleanField("connexion internet dans la classe", default=False)
    has_camera = models.BooleanField("dispositif de captation d'image (webcam)", default=False)
    has_audio = models.BooleanField("microphone et haut-parleurs", default=False)

    class Meta:
        verbose_name = "audit du socle d'une classe"
        verbose_name_plural = "audits du socle des classes"
        ordering = ["audit", "school_class__name"]

    def __str__(self):
        return f"Audit du socle — {self.school_class}"

    def audit_place(self):
        return self.school_class.audit_place()
