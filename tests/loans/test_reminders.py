"""The daily reminders (``services.reminders``, ``tne send_loan_reminders``): one in the 14 days
before the due date, then once overdue every 7 days at most N times; e-mail, else SMS, through
the notification service; plain French naming the device, the date, the pupil's code and the
school, never the guardian; idempotent on the same day."""

import datetime
import importlib.util
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tne.core import crypto
from tne.core.models import Channel, Message
from tne.loans.enums import LoanStatus
from tne.loans.models import GuardianContact, Loan, LoanEvent, LoanEventKind
from tne.loans.services import reminders

from .factories import GuardianContactFactory, PupilFactory, lendable_asset
from .lifecycle_factories import Counter

pytestmark = pytest.mark.django_db

NEEDS_CONTACTS = importlib.util.find_spec("tne.loans.services.contacts") is not None


@pytest.fixture(autouse=True)
def _contacts(monkeypatch):
    """The guardian's contact comes from the needs area's ``contact_for_sending``; until that
    area is merged, the sealed contact is opened here the same way (``core.crypto``)."""
    if NEEDS_CONTACTS:
        return

    def sealed_contact(pupil):
        contact = GuardianContact.objects.filter(pupil=pupil).first()
        return crypto.unseal_dict(contact.sealed) if contact else {}

    monkeypatch.setattr(reminders, "guardian_contact", sealed_contact)


@pytest.fixture
def counter(tree):
    return Counter(tree)


NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def lent(school, *, due_in: int, email="camille.martin@example.org", phone="+33612345678", **extra):
    """An active loan due in ``due_in`` days (negative: overdue), its guardian's contact."""
    tag = extra.pop("tag", None)
    asset = lendable_asset(school, **({"asset_tag": tag} if tag else {}))
    loan = Loan.objects.create(
        pupil=PupilFactory(school=school),
        school=school,
        category=asset.model.category,
        asset=asset,
        status=LoanStatus.ACTIVE,
        handed_out_at=NOW - days(100),
        due_on=TODAY + days(due_in),
        **extra,
    )
    if email or phone:
        GuardianContactFactory(pupil=loan.pupil, email=email or "", phone=phone or "")
    return loan


def test_a_loan_due_within_14_days_is_reminded_once_by_email(counter):
    loan = lent(counter.school, due_in=10, tag="TNE-RAPPEL-1")
    lent(counter.school, due_in=20, tag="TNE-RAPPEL-2")

    outcome = reminders.send_reminders(now=NOW)

    assert outcome.sent == 1 and outcome.by_channel == {Channel.EMAIL: 1}
    message = Message.objects.get()
    assert message.channel == Channel.EMAIL and message.kind == "loans.reminder"
    assert message.unseal_recipient() == "camille.martin@example.org"
    assert message.place_school_id == counter.school.pk
    assert list(Message.objects.about(loan)) == [message]
    due = (TODAY + days(10)).strftime("%Y")
    assert "TNE-RAPPEL-1" in message.body and loan.pupil.code in message.body
    assert "École Jean-Macé" in message.body and due in message.body
    assert "Camille" not in message.body and "Camille" not in message.subject
    assert message.subject.startswith("Rappel")
    loan.refresh_from_db()
    assert loan.reminders_sent == 1 and loan.last_reminder_at == NOW
    event = LoanEvent.objects.get(loan=loan)
    assert (
        event.kind == LoanEventKind.REMINDED
        and event.note == "Par courriel, avant la date de retour"
    )

    again = reminders.send_reminders(now=NOW + datetime.timedelta(hours=2))
    assert again.sent == 0 and Message.objects.count() == 1


def test_the_reminder_window_is_14_days(counter):
    at_14 = lent(counter.school, due_in=14)
    at_15 = lent(counter.school, due_in=15)
    today = lent(counter.school, due_in=0)

    reminders.send_reminders(now=NOW)

    reminded = set(Message.objects.values_list("object_id", flat=True))
    assert reminded == {str(at_14.pk), str(today.pk)}
    assert str(at_15.pk) not in reminded


def test_the_text_says_le_materiel_whatever_the_kind(counter):
    from tne.core.models import Channel as C

    loan = lent(counter.school, due_in=4)
    for kind in (reminders.BEFORE, reminders.OVERDUE):
        for channel in (C.EMAIL, C.SMS):
            _subject, body = reminders.texts(loan, kind, channel)
            assert "le matériel" in body.lower() and " la tablette" not in body
            assert loan.asset.asset_tag in body and loan.pupil.code in body


def test_without_an_email_the_reminder_is_an_sms(counter):
    loan = lent(counter.school, due_in=3, email="", phone="06 12 34 56 78")

    reminders.send_reminders(now=NOW)

    message = Message.objects.get()
    assert message.channel == Channel.SMS and message.unseal_recipient() == "+33612345678"
    assert len(message.body) <= 480 and loan.asset.asset_tag in message.body
    assert LoanEvent.objects.get(loan=loan).note.startswith("Par SMS")


def test_overdue_loans_are_reminded_the_day_after_then_every_7_days_at_most_3_times(
    counter, settings
):
    settings.TNE_LOAN_OVERDUE_REMINDERS = 3
    loan = lent(counter.school, due_in=10)
    sent_on = []
    for day in range(0, 45):
        now = NOW + days(day)
        if reminders.send_reminders(now=now).sent:
            sent_on.append(day)

    # Before (day 0), then the day after the due date (11) and every 7 days: 18, 25; no more.
    assert sent_on == [0, 11, 18, 25]
    loan.refresh_from_db()
    assert loan.reminders_sent == 4
    subjects = list(Message.objects.order_by("pk").values_list("subject", flat=True))
    assert subjects[0].startswith("Rappel") and all(s.startswith("Retard") for s in subjects[1:])
    assert "devait être rendu le" in Message.objects.order_by("pk").last().body


def test_the_number_of_overdue_reminders_is_a_setting(counter, settings):
    settings.TNE_LOAN_OVERDUE_REMINDERS = 1
    lent(counter.school, due_in=-1)
    sent = [reminders.send_reminders(now=NOW + days(day)).sent for day in range(0, 30)]
    assert sum(sent) == 1


def test_an_extension_starts_the_reminders_again(counter, settings, tmp_path):
    from tne.loans.services import lifecycle

    settings.MEDIA_ROOT = tmp_path / "media"
    loan = lent(counter.school, due_in=-2, reminders_sent=4, last_reminder_at=NOW - days(1))
    for n in range(3):
        LoanEvent.objects.create(
            loan=loan, kind=LoanEventKind.REMINDED, at=NOW - days(1) - days(7 * n)
        )
    assert reminders.send_reminders(now=NOW).sent == 0

    lifecycle.extend(actor=counter.head, loan=loan, due_on=TODAY + days(10))

    assert reminders.send_reminders(now=NOW).sent == 1
    assert Message.objects.get().subject.startswith("Rappel")


def test_a_loan_without_contact_is_counted_and_left_as_it_is(counter):
    loan = lent(counter.school, due_in=5, email="", phone="")
    with_contact = lent(counter.school, due_in=5)

    outcome = reminders.send_reminders(now=NOW)

    assert outcome.without_contact == [loan.pk] and outcome.sent == 1
    loan.refresh_from_db()
    assert loan.reminders_sent == 0 and loan.last_reminder_at is None
    assert not Message.objects.about(loan).exists()
    assert Message.objects.about(with_contact).exists()


def test_a_refused_recipient_does_not_stop_the_others(counter):
    landline = lent(counter.school, due_in=5, email="", phone="01 23 45 67 89")
    other = lent(counter.school, due_in=6)

    outcome = reminders.send_reminders(now=NOW)

    assert [pk for pk, _ in outcome.refused] == [landline.pk]
    assert outcome.sent == 1 and Message.objects.about(other).exists()
    landline.refresh_from_db()
    assert landline.reminders_sent == 0


def test_only_active_loans_are_reminded(counter):
    offer = Loan.objects.create(
        pupil=PupilFactory(school=counter.school),
        school=counter.school,
        category=lendable_asset(counter.school).model.category,
        status=LoanStatus.ACCEPTED,
        due_on=TODAY + days(3),
    )
    GuardianContactFactory(pupil=offer.pupil)
    closed = lent(counter.school, due_in=-3)
    Loan.objects.filter(pk=closed.pk).update(status=LoanStatus.CLOSED, outcome="RETURNED")

    assert reminders.send_reminders(now=NOW).sent == 0


def test_the_candidates_are_one_query_whatever_their_number(counter, django_assert_num_queries):
    for n in range(5):
        lent(counter.school, due_in=n - 2, tag=f"TNE-Q-{n}")
    with django_assert_num_queries(1):
        assert len(list(reminders.candidates(TODAY))) == 5


def test_the_command_sends_the_days_reminders_and_says_how_many(counter):
    lent(counter.school, due_in=2)
    lent(counter.school, due_in=-1, email="", phone="06 11 22 33 44")
    no_contact = lent(counter.school, due_in=1, email="", phone="")
    out = StringIO()

    call_command("send_loan_reminders", stdout=out)

    text = out.getvalue()
    assert "2\u00a0relances envoyées (1 par courriel, 1 par SMS)" in text
    assert "3\u00a0prêts à relancer" in text
    assert f"n° {no_contact.pk}" in text
    out = StringIO()
    call_command("send_loan_reminders", stdout=out)
    assert "0\u00a0relance envoyée" in out.getvalue()
