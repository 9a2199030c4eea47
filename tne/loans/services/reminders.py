"""The reminders of the loans, sent every day by ``tne send_loan_reminders``: a message to the
guardian of each active loan

- once, in the 14 days before its due date (``DAYS_BEFORE``);
- then, once it is overdue, the day after the due date and every 7 days (``EVERY``), at most
  ``TNE_LOAN_OVERDUE_REMINDERS`` times (3 by default) for that due date.

An extension gives a new due date: the count starts again (``lifecycle.extend``). The message is
an e-mail when the guardian gave an address, else an SMS to their mobile, through the one
notification service (``tne.core.notify``, recorded in « Messages envoyés »), with the guardian's
contact opened by the needs area's ``contact_for_sending`` (which logs the reading). Its text
names the device, the due date, the pupil by their code and the school to contact — never the
guardian. A loan reminded is locked, checked again, then ``reminders_sent`` and
``last_reminder_at`` move and a step « Relance envoyée » joins its timeline: running the command
twice the same day sends nothing more."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.formats import date_format

from tne.core import notify

from ..enums import LoanStatus
from ..models import Loan, LoanEvent, LoanEventKind

KIND = "loans.reminder"
DAYS_BEFORE = 14
EVERY = 7
BEFORE, OVERDUE = "before", "overdue"


def max_overdue() -> int:
    return settings.TNE_LOAN_OVERDUE_REMINDERS


def guardian_contact(pupil) -> dict:
    """The guardian's contact for the system to write to: the needs area's
    ``contact_for_sending`` (it opens the sealed contact and logs the reading)."""
    from .contacts import contact_for_sending

    return contact_for_sending(pupil, purpose="Relance du prêt")


@dataclass
class Outcome:
    """What a run did: the loans reminded, those whose guardian left no usable contact, and the
    messages the notification service refused (loan number and reason)."""

    checked: int = 0
    sent: int = 0
    by_channel: dict = field(default_factory=dict)
    without_contact: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def _overdue_reminders():
    """The reminders of a loan sent after its due date (an annotation)."""
    return Count(
        "events",
        filter=Q(events__kind=LoanEventKind.REMINDED, events__at__date__gt=F("due_on")),
    )


def candidates(today: datetime.date):
    """The active loans that call for a reminder ``today`` (one query)."""
    before = Q(
        due_on__gte=today,
        due_on__lte=today + datetime.timedelta(days=DAYS_BEFORE),
        reminders_sent=0,
    )
    waited = (
        Q(last_reminder_at__isnull=True)
        | Q(last_reminder_at__date__lte=F("due_on"))
        | Q(last_reminder_at__date__lte=today - datetime.timedelta(days=EVERY))
    )
    overdue = Q(due_on__lt=today, overdue_reminders__lt=max_overdue()) & waited
    return (
        Loan.objects.filter(status=LoanStatus.ACTIVE, due_on__isnull=False)
        .annotate(overdue_reminders=_overdue_reminders())
        .filter(before | overdue)
        .order_by("due_on", "pk")
    )


def reminder_kind(loan: Loan, today: datetime.date, overdue_reminders: int) -> str | None:
    """Which reminder ``loan`` calls for ``today``: before its due date, overdue, or none."""
    if loan.status != LoanStatus.ACTIVE or loan.due_on is None:
        return None
    last = timezone.localdate(loan.last_reminder_at) if loan.last_reminder_at else None
    if today <= loan.due_on:
        close = (loan.due_on - today).days <= DAYS_BEFORE
        return BEFORE if close and loan.reminders_sent == 0 else None
    if overdue_reminders >= max_overdue():
        return None
    if last is None or last <= loan.due_on or (today - last).days >= EVERY:
        return OVERDUE
    return None


def _school_line(school) -> str:
    place = " ".join(part for part in (school.postcode, school.commune.name) if part)
    return ", ".join(part for part in (school.name, school.address, place) if part)


def texts(loan: Loan, kind: str, channel: str) -> tuple[str, str]:
    """The subject and text of a reminder, in plain French (« le matériel », whatever the
    gender of its kind: « la tablette », « le routeur »)."""
    device = f"{loan.category.name.lower()} n°\u00a0{loan.asset.asset_tag}"
    due = date_format(loan.due_on, "j F Y")
    pupil = f"élève {loan.pupil.code}"
    if channel == notify.Channel.SMS:
        if kind == BEFORE:
            body = (
                f"TNE - {loan.school.name}\u00a0: le matériel prêté à votre enfant ({pupil}, "
                f"{device}) est à rendre à l'école au plus tard le {due}. Une question, un "
                "délai\u00a0: adressez-vous à l'école."
            )
        else:
            body = (
                f"TNE - {loan.school.name}\u00a0: le matériel prêté à votre enfant ({pupil}, "
                f"{device}) devait être rendu le {due}. Merci de le rapporter à l'école au plus "
                "vite."
            )
        return f"Prêt n° {loan.pk}", body
    if kind == BEFORE:
        subject = f"Rappel\u00a0: matériel prêté à rendre à l'école le {due}"
        first = (
            f"Le matériel que l'école prête à votre enfant ({pupil})\u00a0: {device}, est à "
            f"rendre au plus tard le {due}."
        )
        then = "Merci de le rapporter à l'école avec ses accessoires (chargeur, housse…)."
    else:
        subject = f"Retard\u00a0: matériel prêté à rendre depuis le {due}"
        first = (
            f"Le matériel que l'école prête à votre enfant ({pupil})\u00a0: {device}, devait "
            f"être rendu le {due}."
        )
        then = (
            "Merci de le rapporter à l'école au plus vite, avec ses accessoires. S'il est "
            "perdu, volé ou cassé, dites-le à l'école."
        )
    body = "\n\n".join(
        [
            "Bonjour,",
            first,
            then,
            "Pour toute question, ou pour demander un délai, adressez-vous à l'école\u00a0: "
            f"{_school_line(loan.school)}.",
            "Ce message est envoyé automatiquement par le programme «\u00a0Territoires "
            "numériques éducatifs\u00a0»\u202f; merci de ne pas y répondre.",
        ]
    )
    return subject, body


def _channel(contact: dict) -> tuple[str, str] | None:
    if contact.get("email"):
        return notify.Channel.EMAIL, contact["email"]
    if contact.get("phone"):
        return notify.Channel.SMS, contact["phone"]
    return None


@transaction.atomic
def remind(loan_id: int, *, now: datetime.datetime, outcome: Outcome) -> bool:
    """Sends the reminder ``loan_id`` calls for the day of ``now``, if it still does once
    locked."""
    today = timezone.localdate(now)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("pupil", "school__commune", "category")
        .get(pk=loan_id)
    )
    overdue_reminders = (
        LoanEvent.objects.filter(
            loan=loan, kind=LoanEventKind.REMINDED, at__date__gt=loan.due_on
        ).count()
        if loan.due_on
        else 0
    )
    kind = reminder_kind(loan, today, overdue_reminders)
    if kind is None:
        return False
    target = _channel(guardian_contact(loan.pupil))
    if target is None:
        outcome.without_contact.append(loan.pk)
        return False
    channel, to = target
    subject, body = texts(loan, kind, channel)
    try:
        notify.send(
            channel=channel,
            to=to,
            subject=subject,
            body=body,
            kind=KIND,
            place=loan.school,
            reference=loan,
        )
    except ValidationError as error:
        outcome.refused.append((loan.pk, " ".join(error.messages)))
        return False
    loan.reminders_sent += 1
    loan.last_reminder_at = now
    loan.save(update_fields=["reminders_sent", "last_reminder_at", "updated_at"])
    how = "Par courriel" if channel == notify.Channel.EMAIL else "Par SMS"
    when = "avant la date de retour" if kind == BEFORE else "prêt en retard"
    LoanEvent.objects.create(loan=loan, kind=LoanEventKind.REMINDED, at=now, note=f"{how}, {when}")
    outcome.sent += 1
    outcome.by_channel[channel] = outcome.by_channel.get(channel, 0) + 1
    return True


def send_reminders(*, now: datetime.datetime | None = None) -> Outcome:
    """The reminders of the day of ``now`` (by default, now), each loan in its own transaction
    (a refused message does not stop the others)."""
    now = now or timezone.now()
    outcome = Outcome()
    for loan_id in list(candidates(timezone.localdate(now)).values_list("pk", flat=True)):
        outcome.checked += 1
        remind(loan_id, now=now, outcome=outcome)
    return outcome
