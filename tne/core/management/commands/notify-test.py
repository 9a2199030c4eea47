"""``tne notify-test --email ADDR`` or ``--sms NUM``: sends a test message through the backend
configured for that channel (``TNE_NOTIFY_EMAIL_BACKEND``, ``TNE_NOTIFY_SMS_BACKEND``), to check
a production setup; exits non-zero when the message is refused or fails."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tne.core.models import Channel, MessageStatus
from tne.core.notify import backends, send
from tne.core.notify.kinds import TEST


class Command(BaseCommand):
    help = "Envoie un message d'essai par le moyen d'envoi configuré (courriel ou SMS)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--email", metavar="ADRESSE", help="adresse électronique")
        target.add_argument("--sms", metavar="NUMÉRO", help="numéro de portable (06…, +33…)")

    def handle(self, *args, email=None, sms=None, **options):
        channel, to = (Channel.EMAIL, email) if email is not None else (Channel.SMS, sms)
        name = backends.configured_name(channel)
        try:
            with transaction.atomic():
                message = send(
                    channel=channel,
                    to=to,
                    subject="Message d'essai de TNE",
                    body=(
                        "Ce message vérifie l'envoi des notifications de TNE, moyen d'envoi : "
                        f"{backends.label_of(name)}. Aucune action n'est attendue."
                    ),
                    kind=TEST,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if message.status != MessageStatus.SENT:
            error = message.error or "message resté en attente"
            raise CommandError(
                f"Échec de l'envoi du message n° {message.pk} à {message.recipient_masked} "
                f"({backends.SETTINGS[channel]}={name}) : {error}"
            )
        self.stdout.write(
            f"Message n° {message.pk} envoyé à {message.recipient_masked} — moyen d'envoi : "
            f"{backends.label_of(name)}, {backends.SETTINGS[channel]}={name}."
        )
