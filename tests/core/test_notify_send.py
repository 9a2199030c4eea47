"""The notification service: ``send`` and ``send_many`` record each message (recipient sealed,
masked form, place, reference, actor), hand it to the backend of its channel after the commit
only, and record the outcome; a failing backend never breaks the caller."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import SchoolFactory, UserFactory
from tne.core import notify
from tne.core.audit import Place
from tne.core.models import Channel, Message, MessageStatus
from tne.core.notify import Outgoing, SmsBackend, send, send_many

pytestmark = pytest.mark.django_db

HERE = __name__


class SpyBackend(SmsBackend):
    """Keeps what it was asked to deliver (the recipient in clear, as a provider gets it)."""

    name = "espion"
    label = "espion"
    channels = (Channel.EMAIL, Channel.SMS)
    sent: list = []
    opened: list = []

    def open(self):
        SpyBackend.opened.append("open")

    def close(self):
        SpyBackend.opened.append("close")

    def send(self, message):
        SpyBackend.sent.append((message.pk, message.unseal_recipient(), message.body))


class RefusingBackend(SmsBackend):
    """A provider that refuses, repeating the number in its error, as they do."""

    name = "refus"

    def send(self, message):
        raise smtplib.SMTPRecipientsRefused(
            {message.unseal_recipient(): (550, b"unknown user 0612345678")}
        )


class HalfBackend(SmsBackend):
    """Delivers every other message."""

    def send(self, message):
        if "impair" in message.body:
            raise RuntimeError("quota dépassé")


@pytest.fixture
def spy(settings):
    SpyBackend.sent, SpyBackend.opened = [], []
    settings.TNE_NOTIFY_SMS_BACKEND = f"{HERE}.SpyBackend"
    settings.TNE_NOTIFY_EMAIL_BACKEND = f"{HERE}.SpyBackend"
    return SpyBackend


@pytest.fixture
def school(tree):
    return SchoolFactory(commune=tree.laon)


LINK = "https://tne.example/comptes/mot-de-passe/MQ/cxyz-0123456789abcdef/"


def _welcome(**overrides):
    arguments = {
        "channel": Channel.EMAIL,
        "to": "Parent@Exemple.fr",
        "subject": "Choisissez votre mot de passe",
        "body": f"Bonjour,\nouvrez ce lien :\n{LINK}\nVotre identifiant : parent@exemple.fr.",
        "kind": "core.test",
        "confidential": [LINK],
    }
    return arguments | overrides


def _sms(**overrides):
    arguments = {
        "channel": Channel.SMS,
        "to": "06 12 34 56 78",
        "subject": "Rappel",
        "body": "La tablette prêtée est à rendre vendredi à l'école.",
        "kind": "loans.reminder",
    }
    return arguments | overrides


def test_it_records_the_message_sealed_masked_and_placed(
    spy, tree, school, django_capture_on_commit_callbacks
):
    head = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = send(**_sms(), place=school, reference=school, actor=head)

    message.refresh_from_db()
    assert message.channel == Channel.SMS and message.kind == "loans.reminder"
    assert message.subject == "Rappel" and message.body.startswith("La tablette")
    assert "0612345678" not in message.recipient and "612345678" not in message.recipient
    assert message.unseal_recipient() == "+33612345678"
    assert message.recipient_masked == "06 •• •• •• 78"
    assert (message.place_path, message.place_school_id) == (tree.laon.path, school.pk)
    assert Message.objects.about(school).get() == message
    assert message.actor == head
    assert message.backend == f"{HERE}.SpyBackend"
    assert message.status == MessageStatus.SENT and message.sent_at >= message.created_at
    assert message.error == ""
    assert spy.sent == [(message.pk, "+33612345678", message.body)]


def test_a_raw_dump_shows_no_address_nor_phone_number(spy, school):
    send(**_sms(), place=school)
    send(
        channel=Channel.EMAIL,
        to="aicha.benali@exemple.fr",
        subject="Convention de prêt",
        body="Bonjour, la convention est prête.",
        kind="loans.agreement",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_message")
        dump = repr(cursor.fetchall())

    assert dump.count("loans.") == 2
    for clear in ("612345678", "12 34 56", "12.34.56", "aicha", "benali"):
        assert clear not in dump.lower()


def test_nothing_leaves_before_the_commit(spy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(**_sms())

    assert spy.sent == []
    assert Message.objects.get().status == MessageStatus.QUEUED
    for callback in callbacks:
        callback()
    assert [pk for pk, *_ in spy.sent] == [message.pk]
    assert Message.objects.get().status == MessageStatus.SENT


def test_a_rolled_back_write_sends_nothing(spy, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(**_sms())
        send_many([Outgoing(**_sms(to="07 11 22 33 44"))])
        raise RuntimeError("la remise a échoué")

    assert callbacks == [] and spy.sent == []
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_backend_is_called_when_the_callers_transaction_commits(spy):
    with transaction.atomic():
        send(**_sms())
        send(**_sms(to="07 11 22 33 44"))
        assert spy.sent == []

    assert [to for _, to, _ in spy.sent] == ["+33612345678", "+33711223344"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_failing_backend_marks_the_message_failed_without_the_number(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.TNE_NOTIFY_SMS_BACKEND = f"{HERE}.RefusingBackend"

    with (
        caplog.at_level(logging.WARNING, logger="tne.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = send(**_sms())  # does not raise

    stored = Message.objects.get()
    assert message.status == stored.status == MessageStatus.FAILED
    assert stored.sent_at is None
    assert "550" in stored.error and "06 •• •• •• 78" in stored.error
    for clear in ("+33612345678", "0612345678", "33612345678"):
        assert clear not in stored.error and clear not in caplog.text
    assert f"message n° {stored.pk}" in caplog.text


def test_a_backend_that_no_longer_loads_fails_its_messages(
    settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_SMS_BACKEND = "tne.nowhere.Backend"

    with django_capture_on_commit_callbacks(execute=True):
        send(**_sms())

    stored = Message.objects.get()
    assert stored.status == MessageStatus.FAILED
    assert "TNE_NOTIFY_SMS_BACKEND='tne.nowhere.Backend'" in stored.error


def test_the_email_backend_sends_through_djangos_mail(settings, django_capture_on_commit_callbacks):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    settings.DEFAULT_FROM_EMAIL = "TNE <ne-pas-repondre@tne.invalid>"

    with django_capture_on_commit_callbacks(execute=True):
        message = send(
            channel=Channel.EMAIL,
            to="Parent@Exemple.fr",
            subject="Rappel : retour de la tablette",
            body="Bonjour,\nla tablette est à rendre vendredi.",
            kind="loans.reminder",
        )

    (email,) = mail.outbox
    assert email.to == ["Parent@exemple.fr"]
    assert email.subject == "Rappel : retour de la tablette"
    assert email.body == "Bonjour,\nla tablette est à rendre vendredi."
    assert email.from_email == "TNE <ne-pas-repondre@tne.invalid>"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.backend == "email"
    assert message.recipient_masked == "P•••@exemple.fr"


def test_the_console_backend_writes_the_message_with_the_masked_recipient(
    settings, caplog, django_capture_on_commit_callbacks
):
    """… and the kept text: no one-time link (``confidential``) in the logs."""
    settings.TNE_NOTIFY_SMS_BACKEND = "console"
    settings.TNE_NOTIFY_EMAIL_BACKEND = "console"

    with (
        caplog.at_level(logging.INFO, logger="tne.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = send(**_sms())
        send(**_welcome())

    assert "06 •• •• •• 78" in caplog.text and "La tablette prêtée" in caplog.text
    assert "612345678" not in caplog.text
    assert notify.CONFIDENTIAL in caplog.text and "ouvrez ce lien" in caplog.text
    assert LINK not in caplog.text and "parent@exemple.fr" not in caplog.text.lower()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert message.backend == "console"


def test_the_outbox_backend_only_records(settings, caplog, django_capture_on_commit_callbacks):
    settings.TNE_NOTIFY_SMS_BACKEND = "outbox"
    settings.TNE_NOTIFY_EMAIL_BACKEND = "outbox"

    with (
        caplog.at_level(logging.INFO, logger="tne.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send(**_sms())
        send(channel=Channel.EMAIL, to="a@exemple.fr", subject="S", body="B", kind="x.y")

    assert mail.outbox == [] and "tne.notify" not in caplog.text
    rows = Message.objects.values_list("backend", "status")
    assert sorted(rows) == [("outbox", MessageStatus.SENT)] * 2


def test_each_channel_has_its_own_backend(settings, spy, django_capture_on_commit_callbacks):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"

    with django_capture_on_commit_callbacks(execute=True):
        send(**_sms())
        send(channel=Channel.EMAIL, to="a@exemple.fr", subject="S", body="B", kind="x.y")

    assert len(spy.sent) == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("arguments", "field", "expected"),
    [
        (_sms(to="01 23 45 67 89"), "to", "un SMS ne peut être envoyé qu'à un portable"),
        (_sms(to="pas un numéro"), "to", "Numéro de téléphone invalide"),
        (_sms(channel=Channel.EMAIL, to="parent@"), "to", "Adresse électronique invalide"),
        (_sms(channel=Channel.EMAIL, to="a@exemple.fr", subject=""), "subject", "Objet manquant"),
        (_sms(subject="Rappel\r\nBcc: x@y.fr"), "subject", "caractère de contrôle interdit"),
        (_sms(subject="x" * 256), "subject", "Objet trop long (256 caractères"),
        (_sms(body="   "), "body", "Texte du message manquant"),
        (_sms(body="a\x00b"), "body", "caractère de contrôle interdit (U+0000) à la position 2"),
        (_sms(body="x" * 481), "body", "Texte trop long pour un SMS (481 caractères, 480 au plus)"),
        (_sms(kind="Rappel"), "kind", "Type de message invalide"),
        (_sms(kind="loans." + "x" * 50), "kind", "Type de message invalide"),
        (_sms(channel="FAX"), "channel", "Canal inconnu"),
    ],
)
def test_bad_input_is_refused_in_french_by_argument(spy, arguments, field, expected):
    with pytest.raises(ValidationError) as error:
        send(**arguments)

    assert expected in " ".join(error.value.message_dict[field])
    assert not Message.objects.exists()


def test_an_sms_keeps_its_subject_for_the_page_and_may_have_none(spy):
    assert send(**_sms(subject="")).subject == ""
    assert send(**_sms(body="x" * 480)).body == "x" * 480


def test_a_reference_must_be_saved(spy, tree):
    with pytest.raises(ValueError, match="enregistrée"):
        send(**_sms(), reference=SchoolFactory.build(commune=tree.laon))


def test_an_anonymous_actor_is_no_one(spy):
    from django.contrib.auth.models import AnonymousUser

    assert send(**_sms(), actor=AnonymousUser()).actor is None


def test_a_place_may_be_given_as_such(spy):
    message = send(**_sms(), place=Place(path="/FR/R32/A20/D02/", school_id=None))

    assert (message.place_path, message.place_school_id) == ("/FR/R32/A20/D02/", None)


def test_send_many_writes_one_insert_then_calls_the_backend_per_message(
    spy, school, django_capture_on_commit_callbacks
):
    batch = [
        Outgoing(**_sms(to=f"06 00 00 00 {n:02d}", body=f"Rappel n° {n}"), place=school)
        for n in range(50)
    ]
    actor = UserFactory()

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        messages = send_many(batch, actor=actor)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert spy.sent == []

    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert len(spy.sent) == 50 and spy.opened == ["open", "close"]
    assert [to for _, to, _ in spy.sent][:2] == ["+33600000000", "+33600000001"]
    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert [m.pk for m in messages] == sorted(Message.objects.values_list("pk", flat=True))


def test_send_many_records_each_outcome(settings, django_capture_on_commit_callbacks):
    settings.TNE_NOTIFY_SMS_BACKEND = f"{HERE}.HalfBackend"
    batch = [Outgoing(**_sms(body="pair" if n % 2 == 0 else "impair")) for n in range(4)]

    with django_capture_on_commit_callbacks(execute=True):
        send_many(batch)

    outcomes = list(Message.objects.order_by("pk").values_list("body", "status", "error"))
    assert (
        outcomes
        == [
            ("pair", MessageStatus.SENT, ""),
            ("impair", MessageStatus.FAILED, "quota dépassé"),
        ]
        * 2
    )


def test_send_many_is_all_or_nothing_and_names_each_refused_message(spy):
    batch = [
        Outgoing(**_sms()),
        Outgoing(**_sms(to="01 23 45 67 89")),
        Outgoing(**_sms(body="")),
    ]

    with pytest.raises(ValidationError) as error:
        send_many(batch)

    assert [m.split("\u00a0: ")[0] for m in error.value.messages] == ["Message 2", "Message 3"]
    assert "portable" in error.value.messages[0]
    assert not Message.objects.exists()


def test_send_many_of_nothing_writes_nothing(spy, django_capture_on_commit_callbacks):
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert send_many([]) == []

    assert callbacks == []
    assert not [q for q in queries.captured_queries if "core_message" in q["sql"]]


def test_forgetting_recipients_keeps_the_masked_form(spy):
    kept = send(**_sms(to="07 11 22 33 44"))
    forgotten = send(**_sms())

    assert notify.forget_recipients(messages=Message.objects.filter(pk=forgotten.pk)) == 1

    forgotten.refresh_from_db()
    assert forgotten.recipient == "" and forgotten.recipient_masked == "06 •• •• •• 78"
    assert Message.objects.get(pk=kept.pk).unseal_recipient() == "+33711223344"


def test_the_admin_shows_the_masked_recipient_never_the_sealed_one(client, spy):
    message = send(**_sms())
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get("/admin/core/message/").content.decode()
    page = client.get(f"/admin/core/message/{message.pk}/change/").content.decode()

    assert "06 •• •• •• 78" in listing and "06 •• •• •• 78" in page
    assert message.recipient not in page and message.recipient[:20] not in listing
    assert client.post("/admin/core/message/add/", {}).status_code == 403


def test_a_confidential_value_is_delivered_but_never_kept(
    settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"

    with django_capture_on_commit_callbacks(execute=True):
        message = send(**_welcome())

    (email,) = mail.outbox
    assert LINK in email.body and "Votre identifiant : parent@exemple.fr." in email.body
    stored = Message.objects.get()
    assert stored.status == MessageStatus.SENT
    assert LINK not in stored.body and notify.CONFIDENTIAL in stored.body
    assert "Votre identifiant : P•••@exemple.fr." in stored.body  # the recipient, masked
    assert message.body == stored.body  # the object the caller holds keeps no link either
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_message")
        dump = repr(cursor.fetchall()).lower()
    assert "mot-de-passe/mq" not in dump and "parent@" not in dump


def test_a_link_that_carries_the_address_is_masked_whole(spy, django_capture_on_commit_callbacks):
    link = "https://tne.example/entrer?compte=parent@exemple.fr&jeton=abc123"
    with django_capture_on_commit_callbacks(execute=True):
        send(**_welcome(to="parent@exemple.fr", body=f"Lien : {link}", confidential=[link]))

    assert spy.sent[0][2] == f"Lien : {link}"
    stored = Message.objects.get()
    assert stored.body == f"Lien : {notify.CONFIDENTIAL}" and "abc123" not in stored.body


def test_a_provider_gets_the_confidential_value_in_the_body(
    spy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(**_welcome(channel=Channel.SMS, to="06 12 34 56 78", body=f"Lien : {LINK}"))

    assert spy.sent == [(message.pk, "+33612345678", f"Lien : {LINK}")]
    assert Message.objects.get().body == f"Lien : {notify.CONFIDENTIAL}"


class EchoingBackend(SmsBackend):
    """A provider whose refusal repeats the whole text it was given."""

    channels = (Channel.EMAIL,)

    def send(self, message):
        raise RuntimeError(f"refusé : {message.body}")


def test_an_error_that_repeats_the_text_keeps_the_link_masked(
    settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = f"{HERE}.EchoingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        send(**_welcome())

    stored = Message.objects.get()
    assert stored.status == MessageStatus.FAILED and stored.error.startswith("refusé : Bonjour")
    assert LINK not in stored.error and notify.CONFIDENTIAL in stored.error
    assert LINK not in stored.body


def test_send_many_keeps_each_messages_confidential_values(spy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_many(
            [
                Outgoing(
                    channel=Channel.EMAIL,
                    to=f"p{i}@exemple.fr",
                    subject="Mot de passe",
                    body=f"Lien {i} : {LINK}{i}",
                    kind="core.test",
                    confidential=(f"{LINK}{i}",),
                )
                for i in (1, 2)
            ]
        )

    assert sorted(body for _, _, body in spy.sent) == [f"Lien 1 : {LINK}1", f"Lien 2 : {LINK}2"]
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        f"Lien 1 : {notify.CONFIDENTIAL}",
        f"Lien 2 : {notify.CONFIDENTIAL}",
    ]
