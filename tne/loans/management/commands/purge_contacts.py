"""``tne purge_contacts [--days N] [--dry-run]``: deletes the guardians' contacts that no loan
needs any more (``tne.loans.services.contacts.purge_contacts``). To run daily; like
``tne purge_imports``, it deletes unless told ``--dry-run``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tne.core.formats import fr_number, plural
from tne.loans.services.contacts import purge_contacts


class Command(BaseCommand):
    help = (
        "Efface les coordonnées des responsables légaux dont aucun prêt n'a plus besoin : "
        "celles des élèves dont tous les prêts sont clos depuis plus de "
        "TNE_CONTACT_RETENTION_DAYS jours (365 par défaut), et celles des élèves sans prêt "
        "dont la déclaration est plus ancienne. À lancer chaque jour (cron, timer systemd)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut TNE_CONTACT_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte les coordonnées sans les effacer."
        )

    def handle(self, *args, days, dry_run, **options):
        days = settings.TNE_CONTACT_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days doit être positif ou nul.")
        result = purge_contacts(retention_days=days, dry_run=dry_run)
        verb = "à effacer" if dry_run else "effacées"
        self.stdout.write(
            f"Coordonnées {verb} (conservation de {plural(days, 'jour|jours')}) : "
            f"{fr_number(result.after_loans)} après des prêts clos, "
            f"{fr_number(result.without_loan)} d'élèves sans prêt ; "
            f"{fr_number(result.total)} en tout."
        )
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation : rien n'a été effacé."))
