"""Sending: :func:`send` (one message) and :func:`send_many` (a batch), the writes of
``Message``; :func:`dispatch`, which hands the recorded messages to their backends once the
caller's transaction has committed; :func:`forget_recipients`, which empties the sealed
recipients once they are no longer needed."""

import logging
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..audit import place_of
from ..cells import BINARY_CONTROL_CHARACTERS_RE, control_character_message
from ..crypto import seal
from ..models import Channel, Message, MessageStatus
from . import backends
from .recipients import mask, national_form, normalise_recipient

logger = logging.getLogger("tne.notify")

# « loans.reminder »: the app, a dot, what it is; what the page's « Type » filter names.
KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
KIND_MAX_LENGTH = 50
# An SMS carries 160 characters (70 with some accents); past that it is cut into parts, and
# past this many characters a reminder is no longer an SMS.
SMS_MAX_LENGTH = 480
ERROR_MAX_LENGTH = 1000
# What the kept text of a message shows in place of a confidential value (a one-time link).
CONFIDENTIAL = "[lien personnel, envoyé au seul destinataire et non conservé]"


@dataclass(frozen=True)
class Outgoing:
    """One message of a batch (:func:`send_many`): the arguments of :func:`send` but the
    actor."""

    channel: str
    to: str
    subject: str
    body: str
    kind: str
    place: object = None
    reference: models.Model | None = None
    confidential: tuple[str, ...] = ()


def _check_texts(channel: str, subject: str, body: str, kind: str) -> dict:
    errors = {}
    if not isinstance(kind, str) or len(kind) > KIND_MAX_LENGTH or not KIND_RE.match(kind):
        errors["kind"] = (
            "Type de message invalide\u00a0: attendu un code court comme "
            f"«\u00a0loans.reminder\u00a0» (minuscules, un point, {KIND_MAX_LENGTH} caractères "
            "au plus)."
        )
    subject = (subject or "").strip()
    problem = control_character_message(subject)
    if problem:
        errors["subject"] = f"Objet\u00a0: {problem}"
    elif len(subject) > 255:
        errors["subject"] = f"Objet trop long ({len(subject)} caractères, 255 au plus)."
    elif channel == Channel.EMAIL and not subject:
        errors["subject"] = "Objet manquant\u00a0: un courriel en a un."
    body = (body or "").strip()
    problem = control_character_message(body, BINARY_CONTROL_CHARACTERS_RE)
    if not body:
        errors["body"] = "Texte du message manquant."
    elif problem:
        errors["body"] = "Texte\u00a0: " + problem.split(" : ")[0] + "."
    elif channel == Channel.SMS and len(body) > SMS_MAX_LENGTH:
        errors["body"] = (
            f"Texte trop long pour un SMS ({len(body)} caractères, {SMS_MAX_LENGTH} au plus)."
        )
    return errors


def _build(item: Outgoing, *, actor) -> Message:
    """The unsaved message of ``item``, checked; ``ValidationError`` by argument otherwise."""
    channel = item.channel
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": f"Canal inconnu\u00a0: {channel!r} (attendu Channel.EMAIL ou Channel.SMS)."}
        )
    channel = Channel(channel)
    errors = _check_texts(channel, item.subject, item.body, item.kind)
    try:
        recipient = normalise_recipient(channel, item.to)
    except ValidationError as exc:
        errors["to"] = exc.messages
    if errors:
        raise ValidationError(errors)
    reference = item.reference
    if reference is not None and reference.pk is None:
        raise ValueError("La référence d'un message doit être enregistrée (elle n'a pas d'id).")
    where = place_of(item.place)
    body = item.body.strip()
    secrets = tuple(
        sorted({v for v in item.confidential if v and v in body}, key=len, reverse=True)
    )
    masked = mask(channel, recipient)
    kept = _masked(body, channel=channel, clear=recipient, masked=masked, secrets=secrets)
    message = Message(
        channel=channel,
        kind=item.kind,
        subject=item.subject.strip(),
        body=kept,
        recipient=seal(recipient),
        recipient_masked=masked,
        backend=backends.configured_name(channel),
        place_path=where.path,
        place_school_id=where.school_id,
        content_type=ContentType.objects.get_for_model(reference) if reference else None,
        object_id=str(reference.pk) if reference else "",
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    # The clear value, for this process only: an error text that repeats it is masked.
    message._clear_recipient = recipient
    message._confidential = secrets
    if kept != body:  # The text to deliver, for this process only: the row keeps ``kept``.
        message._delivered_body = body
    return message


@transaction.atomic
def send(
    *,
    channel: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    place=None,
    reference: models.Model | None = None,
    actor=None,
    confidential: Iterable[str] = (),
) -> Message:
    """Records a message (recipient sealed, status « en attente ») and hands it to the backend
    of its channel once the caller's transaction commits: a rolled-back write sends nothing.

    ``channel``: ``Channel.EMAIL`` or ``Channel.SMS``; ``to``: an e-mail address or a mobile
    number (French or E.164, stored as ``+33…``); ``subject``: required for an e-mail, only
    shown on the page for an SMS; ``kind``: a short code (« loans.reminder »); ``place``: a
    ``tne.core.audit.Place`` or an object with ``audit_place()`` (where the message shows in
    « Messages envoyés »); ``reference``: the saved object it is about; ``confidential``:
    values of ``body`` (a one-time link) that only the recipient gets: the row, the page, the
    console and the error texts keep :data:`CONFIDENTIAL` in their place, so a message that
    fails cannot be sent again (its sender makes a new one). Raises
    ``ValidationError`` (French, by argument) on a bad recipient or text. A failure of the
    backend marks the message failed with its error, never raises."""
    message = _build(
        Outgoing(
            channel=channel,
            to=to,
            subject=subject,
            body=body,
            kind=kind,
            place=place,
            reference=reference,
            confidential=tuple(confidential),
        ),
        actor=actor,
    )
    message.save()
    transaction.on_commit(partial(dispatch, [message]), robust=True)
    return message


@transaction.atomic
def send_many(messages: Iterable[Outgoing], *, actor=None) -> list[Message]:
    """:func:`send` for a batch (the daily reminders): every message is checked first, and if
    one is refused none is recorded (``ValidationError`` listing each, « Message 3 : … »); the
    rows are one INSERT (in batches of the database's parameter limit on SQLite), then, after
    the commit, each message goes to its backend (one connection per backend for the batch).
    The places should cost no query each: ``Place`` values, or objects loaded with what their
    ``audit_place()`` reads (``select_related("school__commune")``)."""
    built, errors = [], []
    for index, item in enumerate(messages, start=1):
        try:
            built.append(_build(item, actor=actor))
        except ValidationError as exc:
            errors.append(f"Message {index}\u00a0: {' '.join(exc.messages)}")
    if errors:
        raise ValidationError(errors)
    if built:
        Message.objects.bulk_create(built)
        transaction.on_commit(partial(dispatch, built), robust=True)
    return built


def _masked(text: str, *, channel: str, clear: str, masked: str, secrets=()) -> str:
    """``text`` without the confidential values (:data:`CONFIDENTIAL` instead; first, so that
    a link that carries the address goes whole) nor the recipient in clear (its masked form
    instead, whichever way a phone is written)."""
    for secret in secrets:
        text = text.replace(secret, CONFIDENTIAL)
    forms = {clear}
    if channel == Channel.SMS and clear:
        forms |= {clear[1:], national_form(clear) or ""}
    for form in sorted(filter(None, forms), key=len, reverse=True):
        text = re.sub(re.escape(form), masked, text, flags=re.IGNORECASE)
    return text


def _error_text(exc: Exception, message: Message) -> str:
    """What the message keeps of a failure: the exception's text without the recipient in clear
    (an SMTP refusal often repeats the address), at most ``ERROR_MAX_LENGTH`` characters."""
    text = str(exc).strip() or type(exc).__name__
    clear = getattr(message, "_clear_recipient", None)
    if clear is None:
        try:
            clear = message.unseal_recipient()
        except Exception:
            clear = ""
    text = _masked(
        text,
        channel=message.channel,
        clear=clear,
        masked=message.recipient_masked,
        secrets=getattr(message, "_confidential", ()),
    )
    return text[:ERROR_MAX_LENGTH]


def _fail(message: Message, exc: Exception) -> None:
    message.status = MessageStatus.FAILED
    message.error = _error_text(exc, message)
    message.sent_at = None
    logger.warning(
        "Échec de l'envoi du message n° %s (%s, %s) : %s",
        message.pk,
        message.kind,
        message.backend,
        message.error,
    )


def _optional(backend, method: str) -> None:
    """``open()`` and ``close()`` are optional: a provider's class may have ``send`` only."""
    call = getattr(backend, method, None)
    if callable(call):
        call()


@contextmanager
def _delivered_body(message: Message):
    """During ``backend.send``, ``message.body`` is the text to deliver (confidential values in
    clear, :func:`send`); ``backends.kept_body(message)`` the text the row keeps."""
    delivered = getattr(message, "_delivered_body", None)
    if delivered is None:
        yield
        return
    kept, message.body, message._kept_body = message.body, delivered, message.body
    try:
        yield
    finally:
        message.body = kept
        del message._kept_body


def _deliver(name: str, channel: str, batch: list[Message]) -> None:
    try:
        backend = backends._backend_class(channel, name)()
        _optional(backend, "open")
    except Exception as exc:
        for message in batch:
            _fail(message, exc)
        return
    try:
        for message in batch:
            try:
                with _delivered_body(message):
                    backend.send(message)
            except Exception as exc:
                _fail(message, exc)
            else:
                message.status = MessageStatus.SENT
                message.sent_at = timezone.now()
                message.error = ""
    finally:
        try:
            _optional(backend, "close")
        except Exception:
            logger.warning("Le moyen d'envoi %s ne s'est pas fermé proprement.", name)


def dispatch(messages: list[Message]) -> None:
    """Hands each recorded message to the backend named on it, then records the outcome (sent,
    or failed with its error). Never raises: the caller's request goes on whatever happens."""
    groups: dict[tuple[str, str], list[Message]] = {}
    for message in messages:
        groups.setdefault((message.backend, message.channel), []).append(message)
    for (name, channel), batch in groups.items():
        _deliver(name, channel, batch)
    try:
        if len(messages) == 1:
            (message,) = messages
            Message.objects.filter(pk=message.pk).update(
                status=message.status, sent_at=message.sent_at, error=message.error
            )
        elif messages:
            Message.objects.bulk_update(messages, ["status", "sent_at", "error"], batch_size=500)
    except Exception:
        logger.exception("L'état de %s message(s) n'a pas pu être enregistré.", len(messages))


@transaction.atomic
def forget_recipients(*, messages: models.QuerySet) -> int:
    """Empties the sealed recipient of ``messages`` (the masked form stays for the lists): after
    the retention period (``tne purge_messages``), or when the app that sent them erases the
    person (a loan's guardian). Returns how many were emptied."""
    return messages.exclude(recipient="").update(recipient="")
