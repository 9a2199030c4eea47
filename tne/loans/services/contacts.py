"""The guardian's contact: entered, read and purged here only.

The name, phone and email are validated (a French phone number is written ``+33…``; an email
is checked by Django's validator), then sealed into one token (``tne.core.crypto.seal``): the
database and its dumps hold the token and two flags (``has_phone``, ``has_email``), never a
value. Entering and reading them needs ``loans.read_contact`` on the pupil's school (the school
head, the M6 coordinator); every reading is an audit event « Consultation » with its purpose and
no value; the system's readings (reminders) are logged too, with no actor.

The purge (:func:`purge_contacts`, ``tne purge_contacts``, daily) deletes the contacts no loan
needs any more: those of pupils whose loans are all closed (« clos » or « décliné ») since longer
than ``TNE_CONTACT_RETENTION_DAYS``, and those of pupils with no loan whose declaration (or, with
none, the contact itself) is older than that. With the contacts it forgets the guardians' sealed
names on the signatures of those pupils' loans (``tne.core.signing.forget_names``: the
signatures, their hashes and dates stay)."""

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from tne.core import crypto, notify
from tne.core.audit import build_event, create_audited, record, record_many, update_audited
from tne.core.cells import control_character_message
from tne.core.formats import fr_typo
from tne.core.models import AuditAction, AuditSource, Signature
from tne.core.signing import forget_names

from ..enums import OPEN_STATUSES
from ..models import GuardianContact, Loan, Pupil
from ..perms import can_read_contact

NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
PURGE_REASON = "durée de conservation écoulée"
CHUNK = 5000


def normalise_phone(value: str) -> str:
    """A phone number as ``+33XXXXXXXXX`` (overseas: ``+262…``, ``+590…``…), from
    « 06 12 34 56 78 », « 06.12.34.56.78 », « +33 6 12 34 56 78 », « +33 (0)6 12… » or
    « 0033 6… »; another country's number is kept in its international form. The rules are the
    notification service's (:func:`tne.core.notify.normalise_phone`), so that a stored contact
    is one the reminders can send to; the message says what to type, in the form's words."""
    try:
        return notify.normalise_phone(value)
    except ValidationError:
        raise ValidationError(
            fr_typo(
                f"« {value.strip()} » n'est pas un numéro de téléphone : 10 chiffres "
                "(« 06 12 34 56 78 ») ou le format international (« +33 6 12 34 56 78 »)."
            ),
            code="phone",
        ) from None


def clean_contact(*, name: str, phone: str, email: str) -> dict:
    """The contact as it is sealed (``name``, ``phone`` normalised, ``email`` in lower case);
    ``ValidationError`` by field otherwise. A name and a phone or an email are required."""
    name, phone, email = " ".join(name.split()), phone.strip(), email.strip()
    errors = {}
    if not name:
        errors["name"] = "Indiquez le nom du responsable légal."
    elif message := control_character_message(name):
        errors["name"] = message[:1].upper() + message[1:]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"{NAME_MAX_LENGTH} caractères au plus (ici {len(name)})."
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if email:
        email = email.lower()
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("trop longue")
            validate_email(email)
        except ValidationError:
            errors["email"] = (
                f"« {email} » n'est pas une adresse électronique (« nom@exemple.fr »)."
            )
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["phone"] = "Indiquez un téléphone ou une adresse électronique (ou les deux)."
    if errors:
        raise ValidationError({key: fr_typo(message) for key, message in errors.items()})
    return {"name": name, "phone": phone, "email": email}


def _require_reader(user, pupil: Pupil) -> None:
    if user is None or not can_read_contact(user, pupil.school):
        raise PermissionDenied(
            "Seules la direction de l'école et la coordination M6 lisent et saisissent les "
            "coordonnées des responsables légaux."
        )


def contact_of(pupil: Pupil) -> GuardianContact | None:
    return GuardianContact.objects.filter(pupil=pupil).first()


@transaction.atomic
def set_contact(
    *, pupil: Pupil, name: str, phone: str, email: str, actor, source: str = AuditSource.UI
) -> GuardianContact:
    """Enters (or replaces) the contact of ``pupil``'s guardian, sealed; audited with markers
    only."""
    _require_reader(actor, pupil)
    values = clean_contact(name=name, phone=phone, email=email)
    sealed = crypto.seal(values)
    flags = {"has_phone": bool(values["phone"]), "has_email": bool(values["email"])}
    contact = GuardianContact.objects.select_for_update().filter(pupil=pupil).first()
    if contact is None:
        contact = GuardianContact(pupil=pupil, sealed=sealed, **flags)
        return create_audited(contact, actor=actor, source=source)
    update_audited(contact, {"sealed": sealed, **flags}, actor=actor, source=source)
    GuardianContact.objects.filter(pk=contact.pk).update(updated_at=timezone.now())
    return contact


def _read(contact: GuardianContact) -> dict:
    values = crypto.unseal_dict(contact.sealed)
    return {key: values.get(key, "") for key in ("name", "phone", "email")}


@transaction.atomic
def open_contact(*, user, pupil: Pupil, purpose: str, source: str = AuditSource.UI) -> dict:
    """The contact of ``pupil``'s guardian (``{}`` when none was entered) for ``user``, who must
    hold ``loans.read_contact`` on its school. The reading is logged (who, when, why; no value)."""
    _require_reader(user, pupil)
    contact = contact_of(pupil)
    if contact is None:
        return {}
    record(contact, AuditAction.READ, actor=user, source=source, changes={"motif": purpose})
    return _read(contact)


@transaction.atomic
def contact_for_sending(pupil: Pupil, *, purpose: str = "Relance du prêt") -> dict:
    """The contact for the system to write to (reminders), logged as a reading by the system
    (no actor); ``{}`` when none was entered."""
    contact = contact_of(pupil)
    if contact is None:
        return {}
    record(contact, AuditAction.READ, source=AuditSource.CLI, changes={"motif": purpose})
    return _read(contact)


@transaction.atomic
def delete_contact(*, pupil: Pupil, actor, source: str = AuditSource.UI) -> bool:
    """Erases the contact of ``pupil``'s guardian (``loans.read_contact``); False if none."""
    _require_reader(actor, pupil)
    contact = contact_of(pupil)
    if contact is None:
        return False
    record(contact, AuditAction.DELETE, actor=actor, source=source, changes={"sealed": "effacé"})
    contact.delete()
    return True


# --- The purge -----------------------------------------------------------------------------------


def purgeable_contacts(*, now=None, retention_days: int | None = None):
    """The contacts the retention rule lets go (see the module's docstring)."""
    now = now or timezone.now()
    days = settings.TNE_CONTACT_RETENTION_DAYS if retention_days is None else retention_days
    limit = now - timedelta(days=days)
    limit_day = timezone.localtime(limit).date()
    loans = Loan.objects.filter(pupil=OuterRef("pupil_id"))
    recent_or_open = loans.annotate(ended=Coalesce("closed_at", "updated_at")).filter(
        Q(status__in=OPEN_STATUSES) | Q(ended__gte=limit)
    )
    with_loans = Exists(loans) & ~Exists(recent_or_open)
    without_loans = ~Exists(loans) & (
        Q(pupil__need__declared_on__lt=limit_day)
        | Q(pupil__need__isnull=True, updated_at__lt=limit)
    )
    return GuardianContact.objects.filter(with_loans | without_loans)


@dataclass(frozen=True)
class PurgeResult:
    after_loans: int
    without_loan: int
    retention_days: int
    dry_run: bool
    # The guardians' sealed names forgotten on the signatures of those pupils' loans.
    names_forgotten: int = 0

    @property
    def total(self) -> int:
        return self.after_loans + self.without_loan


@transaction.atomic
def purge_contacts(
    *, now=None, retention_days: int | None = None, dry_run: bool = False
) -> PurgeResult:
    """Deletes the contacts past retention, each with a deletion event that names no one (the
    pupil's code is a pseudonym); counts them apart: after closed loans, without any loan."""
    days = settings.TNE_CONTACT_RETENTION_DAYS if retention_days is None else retention_days
    contacts = list(
        purgeable_contacts(now=now, retention_days=days)
        .select_related("pupil__school__commune")
        .annotate(had_loans=Exists(Loan.objects.filter(pupil=OuterRef("pupil_id"))))
        .select_for_update(of=("self",))
    )
    after_loans = sum(1 for c in contacts if c.had_loans)
    result = PurgeResult(after_loans, len(contacts) - after_loans, days, dry_run)
    if dry_run or not contacts:
        return result
    record_many(
        build_event(
            contact,
            AuditAction.DELETE,
            source=AuditSource.CLI,
            changes={"sealed": "effacé", "motif": PURGE_REASON},
        )
        for contact in contacts
    )
    ids = [c.pk for c in contacts]
    for start in range(0, len(ids), CHUNK):
        GuardianContact.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
    pupils = [c.pupil_id for c in contacts if c.had_loans]
    forgotten = 0
    for start in range(0, len(pupils), CHUNK):
        loans = Loan.objects.filter(pupil_id__in=pupils[start : start + CHUNK])
        forgotten += forget_names(
            Signature.objects.filter(
                Q(
                    pk__in=loans.filter(agreement_signature__isnull=False).values(
                        "agreement_signature"
                    )
                )
                | Q(pk__in=loans.filter(return_signature__isnull=False).values("return_signature"))
            )
        )
    return dataclasses.replace(result, names_forgotten=forgotten)
