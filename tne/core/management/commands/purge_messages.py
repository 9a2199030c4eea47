"""``tne purge_messages [--days N] [--dry-run]``: empties the sealed recipient of the messages
created more than ``TNE_MESSAGE_RECIPIENTS_KEEP_DAYS`` days ago (90 by default); their masked
form, text and outcome stay in « Messages envoyés ». To run daily."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tne.core.formats import plural
from tne.core.models import Message
from tne.core.notify import forget_recipients


class Command(BaseCommand):
    help = (
        "Efface les destinataires chiffrés des messages plus anciens que "
        "TNE_MESSAGE_RECIPIENTS_KEEP_DAYS jours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="conservation en jours")
        parser.add_argument("--dry-run", action="store_true", help="compter sans effacer")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.TNE_MESSAGE_RECIPIENTS_KEEP_DAYS if days is None else days
        if days < 0:
            raise CommandError(f"--days={days} : un nombre de jours positif ou nul est attendu.")
        old = Message.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
        if dry_run:
            count = old.exclude(recipient="").count()
            self.stdout.write(
                f"{plural(count, 'destinataire à effacer|destinataires à effacer')} "
                f"(messages de plus de {plural(days, 'jour|jours')})."
            )
            return
        count = forget_recipients(messages=old)
        self.stdout.write(
            f"{plural(count, 'destinataire effacé|destinataires effacés')} "
            f"(messages de plus de {plural(days, 'jour|jours')})."
        )
