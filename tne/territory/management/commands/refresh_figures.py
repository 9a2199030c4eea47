from django.core.management.base import BaseCommand

from tne.territory.services import refresh_school_figures


class Command(BaseCommand):
    help = (
        "Recalcule les chiffres par établissement (classes, élèves, enseignants) de l'année en "
        "cours, après une écriture en masse qui ne passe pas par les services."
    )

    def handle(self, *args, **options):
        count = refresh_school_figures()
        self.stdout.write(f"Chiffres recalculés pour {count} établissements.")
