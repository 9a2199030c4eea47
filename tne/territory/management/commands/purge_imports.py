from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tne.territory.uploads import imports_dir, purge_old_uploads


class Command(BaseCommand):
    help = (
        "Supprime les fichiers de référence téléversés pour import plus anciens que la durée de "
        "conservation (TNE_IMPORT_FILES_KEEP_DAYS, 90 jours par défaut), sauf ceux d'un import "
        "en attente ou en cours. À lancer chaque jour (cron, timer systemd)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut TNE_IMPORT_FILES_KEEP_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Liste les fichiers sans les supprimer."
        )

    def handle(self, *args, days, dry_run, **options):
        keep_days = settings.TNE_IMPORT_FILES_KEEP_DAYS if days is None else days
        if keep_days < 0:
            raise CommandError("--days doit être positif ou nul.")
        removed = purge_old_uploads(keep_days=keep_days, dry_run=dry_run)
        for path in removed:
            self.stdout.write(f"  {path.name}")
        verb = "à supprimer" if dry_run else "supprimés"
        self.stdout.write(
            f"{len(removed)} fichier(s) de plus de {keep_days} jours {verb} dans {imports_dir()}."
        )
