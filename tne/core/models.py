from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .crypto import unseal
from .perms import can_view_every_job


class AuditAction(models.TextChoices):
    CREATE = "CREATE", "Création"
    UPDATE = "UPDATE", "Modification"
    DELETE = "DELETE", "Suppression"
    # A reading of sealed personal data (a guardian's contact): who opened it, when, why.
    READ = "READ", "Consultation"


class AuditSource(models.TextChoices):
    UI = "UI", "Interface"
    API = "API", "API"
    CLI = "CLI", "Ligne de commande"
    IMPORT = "IMPORT", "Import"
    ADMIN = "ADMIN", "Administration"


class AuditEventQuerySet(models.QuerySet):
    def in_places(self, *, everything: bool = False, paths=(), schools=None):
        """The events of the places under one of ``paths`` (materialised paths of nodes: one
        indexed prefix filter each) or about one of ``schools`` (ids, or a subquery of school
        ids); every event with ``everything``. One query, whatever the number of places."""
        if everything:
            return self
        query = models.Q(pk__in=[])
        for path in paths:
            query |= models.Q(place_path__startswith=path)
        if schools is not None:
            query |= models.Q(place_school_id__in=schools)
        return self.filter(query)


class AuditEvent(models.Model):
    """One change on a record that matters: who, when, what, and the fields that changed
    (``{"field": [old, new]}``, or a marker instead of the values of a personal field). Written by
    the services that make the change, never by signals. The place it concerns is kept as the
    materialised path of its node of the territory (``place_path``, a school's is its commune's)
    and the id of its school, if any (``place_school_id``): core knows no territory model, and
    « what changed in my territory » is one indexed prefix filter."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField("origine", max_length=10, choices=AuditSource.choices)
    action = models.CharField("action", max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("objet", max_length=255)
    changes = models.JSONField("changements", default=dict, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name="traitement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    place_path = models.CharField(
        "lieu", max_length=255, blank=True, default="", db_index=True, editable=False
    )
    place_school_id = models.PositiveBigIntegerField(
        "établissement concerné", null=True, blank=True, db_index=True, editable=False
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'historique"
        verbose_name_plural = "historique"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class JobStatus(models.TextChoices):
    PENDING = "PENDING", "En attente"
    RUNNING = "RUNNING", "En cours"
    SUCCEEDED = "SUCCEEDED", "Terminé"
    FAILED = "FAILED", "Échec"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """The jobs whose page ``user`` may read: the rule of :func:`.perms.can_view_job`."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if can_view_every_job(user):
            return self.all()
        return self.filter(created_by=user)


class Job(models.Model):
    """A long piece of work run by the task worker (an import…), with its progress for the job
    page. ``kind`` names a handler registered with :func:`tne.core.jobs.job_handler`."""

    kind = models.CharField("type", max_length=50)
    label = models.CharField("libellé", max_length=255)
    params = models.JSONField("paramètres", default=dict, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    total = models.PositiveIntegerField("total", default=0)
    done = models.PositiveIntegerField("fait", default=0)
    message = models.TextField("message", blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "traitement"
        verbose_name_plural = "traitements"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Running for longer than any job should: its worker died (see ``fail_stale_jobs``)."""
        if self.status != JobStatus.RUNNING or self.started_at is None:
            return False
        return timezone.now() - self.started_at > timedelta(
            minutes=settings.TNE_JOB_TIMEOUT_MINUTES
        )


class DocumentQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> "DocumentQuerySet":
        return self.filter(kind=kind)


class Document(models.Model):
    """A document TNE produced (a label sheet, a hand-over receipt, an installation report, later
    a loan agreement or a certificate): the PDF file, stored once, with its SHA-256 so that what
    was signed can be proved later. Written by :func:`tne.core.documents.render_pdf` only, never
    changed afterwards; who may read it is said by the app that asked for it (``kind`` names it).
    """

    kind = models.CharField("type", max_length=50, db_index=True)
    title = models.CharField("titre", max_length=255)
    file = models.FileField("fichier", upload_to="documents/%Y/%m/", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    pages = models.PositiveIntegerField("pages", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="produit pour",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("produit le", auto_now_add=True)
    job = models.ForeignKey(
        Job,
        verbose_name="traitement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class SignatureMethod(models.TextChoices):
    TYPED = "TYPED", "Nom saisi et consentement"
    DRAWN = "DRAWN", "Nom saisi, consentement et signature tracée"


class SignatureQuerySet(models.QuerySet):
    def of_document(self, document: Document) -> "SignatureQuerySet":
        return self.filter(document=document)

    # Immutable in bulk too: no ``.update()`` nor ``.delete()`` of signatures.
    def update(self, **kwargs):
        raise ValueError("Une signature ne se modifie pas.")

    def forget_names(self) -> int:
        """The one change a signature allows: its sealed name blanked (the signer's name
        forgotten with their personal data; the signature, its hash and its date stay). Call it
        through :func:`tne.core.signing.forget_name` / ``forget_names``."""
        return models.QuerySet.update(self.exclude(sealed_name=""), sealed_name="")

    def delete(self):
        raise ValueError("Une signature ne se supprime pas.")


class Signature(models.Model):
    """Who signed what, when and how: the document (and its SHA-256 at the time of signing), the
    person, the capacity in which they signed (« Direction de l'école », « Collectivité
    propriétaire »…), the name they typed and the sentence they consented to, and a drawn
    signature where their device allowed it (never required). Written by
    :func:`tne.core.signing.sign` only; immutable (no update, no delete: the database refuses
    neither, the model and the services do, and the admin is read-only)."""

    document = models.ForeignKey(
        Document, verbose_name="document signé", on_delete=models.PROTECT, related_name="signatures"
    )
    document_sha256 = models.CharField("empreinte du document signé", max_length=64)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signataire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.CharField("qualité", max_length=120)
    typed_name = models.CharField("nom saisi", max_length=200)
    # The typed name sealed (``tne.core.crypto.seal``) instead of ``typed_name`` when the signer
    # is a private person whose name must not be readable in a raw dump (``sign(seal_name=True)``,
    # the loans' guardians); blanked by ``tne.core.signing.forget_name``.
    sealed_name = models.TextField("nom saisi (chiffré)", blank=True, default="", db_default="")
    consent = models.TextField("texte accepté")
    method = models.CharField("mode", max_length=10, choices=SignatureMethod.choices)
    # The strokes drawn on the device, as lists of [x, y] points in a 300 × 100 box (never
    # markup: TNE draws them itself, see ``tne.core.signing.drawing_svg``).
    drawing = models.JSONField("signature tracée", default=list, blank=True)
    signed_at = models.DateTimeField("signé le", auto_now_add=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=255, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = "signature"
        verbose_name_plural = "signatures"
        ordering = ["signed_at", "pk"]

    def __str__(self):
        return f"{self.typed_name or 'Nom protégé'} — {self.capacity} — {self.document}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Une signature ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Une signature ne se supprime pas.")


# --- Notifications: the messages sent through tne.core.notify --------------------------------


class Channel(models.TextChoices):
    EMAIL = "EMAIL", "Courriel"
    SMS = "SMS", "SMS"


class MessageStatus(models.TextChoices):
    QUEUED = "QUEUED", "En attente d'envoi"
    SENT = "SENT", "Envoyé"
    FAILED = "FAILED", "Échec"


class MessageQuerySet(models.QuerySet):
    def in_places(self, *, everything: bool = False, paths=(), schools=None):
        """The messages of the places under one of ``paths`` (one indexed prefix filter each)
        or about one of ``schools`` (ids, or a subquery of school ids); every message with
        ``everything``. The same rule as :meth:`AuditEventQuerySet.in_places`."""
        if everything:
            return self
        query = models.Q(pk__in=[])
        for path in paths:
            query |= models.Q(place_path__startswith=path)
        if schools is not None:
            query |= models.Q(place_school_id__in=schools)
        return self.filter(query)

    def about(self, obj: models.Model) -> "MessageQuerySet":
        """The messages whose reference is ``obj`` (a loan reminded twice…)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class Message(models.Model):
    """One e-mail or SMS TNE sent (or tried to): written by :func:`tne.core.notify.send` only,
    then updated by the backend's outcome. The recipient is sealed (``tne.core.crypto``): a raw
    dump shows a token, never an address or a phone number, and lists show ``recipient_masked``
    (« a•••@exemple.fr », « 06 •• •• •• 78 »). Its place is kept like an audit event's
    (``place_path``, ``place_school_id``), so « the messages of my territory » is one indexed
    prefix filter; ``content_type``/``object_id`` name what it is about (a loan…)."""

    PERSONAL_FIELDS = ("recipient", "recipient_masked")

    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    kind = models.CharField("type", max_length=50)
    subject = models.CharField("objet", max_length=255, blank=True)
    body = models.TextField("texte")
    # A Fernet token (tne.core.crypto.seal); emptied by notify.forget_recipients.
    recipient = models.TextField("destinataire (chiffré)", blank=True, editable=False)
    recipient_masked = models.CharField("destinataire", max_length=255)
    status = models.CharField(
        "état", max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    error = models.TextField("erreur", blank=True)
    backend = models.CharField("moyen d'envoi", max_length=200)
    created_at = models.DateTimeField("créé le", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    place_path = models.CharField(
        "lieu", max_length=255, blank=True, default="", db_index=True, editable=False
    )
    place_school_id = models.PositiveBigIntegerField(
        "établissement concerné", null=True, blank=True, db_index=True, editable=False
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="à propos de (type)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField("à propos de (identifiant)", max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message envoyé"
        verbose_name_plural = "messages envoyés"
        # Ids grow with time: newest first is the primary key's order (keyset pages on it).
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # « Échec », « En attente »: the rare states a filter looks for, newest first.
            models.Index(fields=["status", "-id"], name="core_message_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} n° {self.pk} ({self.kind})"

    def unseal_recipient(self) -> str:
        """The address or phone number, for the backend that delivers the message (and no one
        else: pages, exports and the admin show ``recipient_masked``)."""
        return unseal(self.recipient)
