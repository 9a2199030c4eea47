"""Pupils as the school codes them (no name), their declared needs, the sealed contact of their
guardian and the parent accounts linked to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tne.core.scope import scope_of
from tne.territory.models import School, SchoolClass

from ..enums import HomeDevices, HomeInternet
from ..perms import VIEW


class PupilQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(scope_of(user, permission).school_q("school__"))


class Pupil(models.Model):
    """A pupil, pseudonymous: the code the school gives (the school keeps the link to the name
    in its own files), the class and the level. TNE stores no pupil's name."""

    school = models.ForeignKey(
        School, verbose_name="école", on_delete=models.PROTECT, related_name="pupils"
    )
    code = models.CharField(
        "code élève",
        max_length=40,
        help_text="Le code que l'école donne à l'élève ; jamais son nom.",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name="classe",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.CharField("niveau", max_length=12)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        verbose_name = "élève"
        verbose_name_plural = "élèves"
        ordering = ["school", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="loans_pupil_code_per_school")
        ]
        # The dashboards count a school's declared needs through its pupils from this index.
        indexes = [models.Index(fields=["school", "id"], name="loans_pupil_dash_school")]

    def __str__(self):
        return f"Élève {self.code}"

    def audit_place(self):
        return self.school.audit_place()


class NeedDeclaration(models.Model):
    """What a family lacks, declared by the school with it: the devices and the internet at
    home. The school context (REP/REP+, IPS) is read from the reference data when the priority
    is computed, never typed again."""

    pupil = models.OneToOneField(
        Pupil, verbose_name="élève", on_delete=models.CASCADE, related_name="need"
    )
    devices_at_home = models.CharField(
        "équipement à la maison", max_length=10, choices=HomeDevices.choices
    )
    shared_with = models.PositiveSmallIntegerField(
        "partagé avec (enfants)",
        null=True,
        blank=True,
        help_text="Nombre d'autres enfants qui partagent l'équipement.",
    )
    internet_at_home = models.CharField(
        "internet à la maison", max_length=10, choices=HomeInternet.choices
    )
    declared_on = models.DateField("déclaré le")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déclaré par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "déclaration de besoin"
        verbose_name_plural = "déclarations de besoin"
        constraints = [
            models.CheckConstraint(
                condition=Q(devices_at_home=HomeDevices.SHARED, shared_with__gte=1)
                | (~Q(devices_at_home=HomeDevices.SHARED) & Q(shared_with__isnull=True)),
                name="loans_need_shared_with_only_when_shared",
            )
        ]

    def __str__(self):
        return f"Besoin de l'élève {self.pupil.code}"

    def audit_place(self):
        return self.pupil.audit_place()


class GuardianContact(models.Model):
    """The guardian's name, phone and email, sealed at rest (``tne.core.crypto``): one token,
    opened only by ``services.contacts.open_contact``, which checks ``loans.read_contact`` and
    logs the reading. Exists only for the agreement and the reminders; purged after the loan is
    closed and the retention period has passed (``tne purge-contacts``)."""

    # The token is personal data: the audit trail keeps a marker, never its value.
    PERSONAL_FIELDS = ("sealed",)

    pupil = models.OneToOneField(
        Pupil, verbose_name="élève", on_delete=models.CASCADE, related_name="guardian"
    )
    sealed = models.TextField("coordonnées chiffrées", editable=False)
    has_phone = models.BooleanField("téléphone renseigné", default=False)
    has_email = models.BooleanField("courriel renseigné", default=False)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "coordonnées du responsable légal"
        verbose_name_plural = "coordonnées des responsables légaux"

    def __str__(self):
        return f"Responsable légal de l'élève {self.pupil.code}"

    def audit_place(self):
        return self.pupil.audit_place()


class FamilyLink(models.Model):
    """A parent's account linked to a pupil: what the « Mon prêt » page shows them, and all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte du parent",
        on_delete=models.CASCADE,
        related_name="family_links",
    )
    pupil = models.ForeignKey(
        Pupil, verbose_name="élève", on_delete=models.CASCADE, related_name="family_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "lien famille"
        verbose_name_plural = "liens famille"
        constraints = [
            models.UniqueConstraint(fields=["user", "pupil"], name="loans_one_link_per_parent")
        ]

    def __str__(self):
        return f"{self.user} — élève {self.pupil.code}"

    def audit_label(self):
        """What the audit trail calls a link: never the parent's name or address."""
        return f"Lien famille n° {self.pk} — élève {self.pupil.code}"

    def audit_place(self):
        return self.pupil.audit_place()
