"""The commands and settings of notifications: ``tne notify-test`` checks a setup and exits
non-zero on failure, ``tne purge_messages`` empties old sealed recipients, the backends come from
the environment with defaults for development, the demo and production, and a wrong one stops the
start with a sentence that names it."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tne.core.crypto import new_key
from tne.core.models import Channel, Message, MessageStatus
from tne.core.notify import send
from tne.core.notify.checks import notify_backends

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_notify_test_sends_through_the_configured_backend(settings, capsys):
    settings.TNE_NOTIFY_SMS_BACKEND = "outbox"

    call_command("notify-test", "--sms", "06 12 34 56 78")

    out = capsys.readouterr().out
    message = Message.objects.get()
    assert f"Message n° {message.pk} envoyé à 06 •• •• •• 78" in out
    assert "TNE_NOTIFY_SMS_BACKEND=outbox" in out
    assert (message.kind, message.status, message.backend) == ("core.test", "SENT", "outbox")
    assert message.unseal_recipient() == "+33612345678"


@pytest.mark.django_db(transaction=True)
def test_notify_test_sends_an_email_through_djangos_mail(settings, mailoutbox):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"

    call_command("notify-test", "--email", "exploitation@exemple.fr")

    (email,) = mailoutbox
    assert email.to == ["exploitation@exemple.fr"] and email.subject == "Message d'essai de TNE"


class BrokenProvider:
    channels = (Channel.SMS,)

    def send(self, message):
        raise ConnectionError("fournisseur injoignable")


@pytest.mark.django_db(transaction=True)
def test_notify_test_fails_when_the_backend_fails(settings):
    settings.TNE_NOTIFY_SMS_BACKEND = f"{__name__}.BrokenProvider"

    with pytest.raises(CommandError, match=r"Échec de l'envoi .* fournisseur injoignable"):
        call_command("notify-test", "--sms", "+33 6 12 34 56 78")

    assert Message.objects.get().status == MessageStatus.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--sms", "01 23 45 67 89"], "un SMS ne peut être envoyé qu'à un portable"),
        (["--email", "exploitation@"], "Adresse électronique invalide"),
        ([], "--email"),
    ],
)
def test_notify_test_refuses_a_wrong_recipient(arguments, expected):
    with pytest.raises(CommandError, match=expected):
        call_command("notify-test", *arguments)

    assert not Message.objects.exists()


def test_notify_test_exits_non_zero_from_the_command_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "notify-test", "--sms", "01 23 45 67 89"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "portable" in result.stderr


@pytest.mark.django_db
def test_purge_messages_empties_the_old_recipients_only(settings, capsys):
    settings.TNE_NOTIFY_SMS_BACKEND = "outbox"
    settings.TNE_MESSAGE_RECIPIENTS_KEEP_DAYS = 30
    arguments = {"channel": Channel.SMS, "subject": "", "body": "Rappel", "kind": "x.y"}
    old = send(to="06 12 34 56 78", **arguments)
    recent = send(to="07 11 22 33 44", **arguments)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    call_command("purge_messages", "--dry-run")
    assert "1\u00a0destinataire à effacer" in capsys.readouterr().out
    assert Message.objects.get(pk=old.pk).recipient != ""

    call_command("purge_messages")
    assert "1\u00a0destinataire effacé" in capsys.readouterr().out
    old.refresh_from_db()
    assert old.recipient == "" and old.recipient_masked == "06 •• •• •• 78"
    assert Message.objects.get(pk=recent.pk).unseal_recipient() == "+33711223344"

    call_command("purge_messages", "--days", "0")
    assert Message.objects.exclude(recipient="").count() == 0
    with pytest.raises(CommandError, match="positif ou nul"):
        call_command("purge_messages", "--days", "-1")


def test_the_system_check_names_a_backend_that_does_not_load(settings):
    assert notify_backends() == []

    settings.TNE_NOTIFY_SMS_BACKEND = "tne.nowhere.Provider"
    settings.TNE_NOTIFY_EMAIL_BACKEND = f"{__name__}.BrokenProvider"  # SMS only

    errors = [error.msg for error in notify_backends()]
    assert any("TNE_NOTIFY_SMS_BACKEND='tne.nowhere.Provider'" in e for e in errors)
    assert any("ne sert pas le canal Courriel" in e for e in errors)


def test_the_email_backend_does_not_serve_sms(settings):
    settings.TNE_NOTIFY_SMS_BACKEND = "email"

    (error,) = notify_backends()
    assert "TNE_NOTIFY_SMS_BACKEND='email'" in error.msg and "canal SMS" in error.msg


def _settings(**env) -> subprocess.CompletedProcess:
    code = (
        "import tne.settings as s; "
        "print(s.TNE_NOTIFY_EMAIL_BACKEND, s.TNE_NOTIFY_SMS_BACKEND, "
        "s.TNE_MESSAGE_RECIPIENTS_KEEP_DAYS)"
    )
    production = {"SECRET_KEY": "x" * 50, "TNE_DATA_KEYS": new_key()}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **production, **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "1"}, "console console 90"),
        ({"DEBUG": "1", "EMAIL_HOST": "smtp.exemple.fr"}, "console console 90"),
        # The demo (make demo: DEBUG=0, no mail server) writes both to the console.
        ({"DEBUG": "0", "TNE_INSECURE_HTTP": "1"}, "console console 90"),
        ({"DEBUG": "0", "EMAIL_HOST": "smtp.exemple.fr"}, "email console 90"),
        (
            {
                "DEBUG": "0",
                "TNE_NOTIFY_EMAIL_BACKEND": "outbox",
                "TNE_NOTIFY_SMS_BACKEND": "fournisseur.sms.Backend",
                "TNE_MESSAGE_RECIPIENTS_KEEP_DAYS": "30",
            },
            "outbox fournisseur.sms.Backend 30",
        ),
    ],
)
def test_the_backends_come_from_the_environment(env, expected):
    result = _settings(**env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TNE_NOTIFY_SMS_BACKEND", "email"),
        ("TNE_NOTIFY_SMS_BACKEND", "sms-provider"),
        ("TNE_NOTIFY_EMAIL_BACKEND", "smtp"),
        ("TNE_NOTIFY_EMAIL_BACKEND", "a..b"),
    ],
)
def test_a_wrong_backend_setting_stops_the_start_and_names_it(variable, value):
    result = _settings(DEBUG="1", **{variable: value})

    assert result.returncode != 0
    assert f"{variable}={value!r}" in result.stderr
