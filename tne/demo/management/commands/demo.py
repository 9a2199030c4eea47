from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tne.core.progress import BarProgress
from tne.demo.loader import DEFAULT_SEED, load_demo
from tne.demo.server import address
from tne.demo.summary import demo_counts, equipment_line, loans_line, logins_table

from .serve import add_server_arguments

WARNING = (
    "Démonstration uniquement : ces mots de passe ne protègent que des données de démonstration."
)


class Command(BaseCommand):
    help = (
        "Charge le territoire de démonstration (écoles, collèges et lycées réels de l'Aisne et du "
        "Val-d'Oise, classes et personnels synthétiques, un compte par rôle) ; avec --serve, sert "
        "ensuite TNE comme « tne serve »."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Graine de la synthèse (2025)."
        )
        parser.add_argument("--serve", action="store_true", help="Sert TNE une fois chargé.")
        add_server_arguments(parser)

    def handle(self, *args, seed, serve, host, port, workers, threads, **options):
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        result = load_demo(seed=seed, progress_factory=BarProgress)
        counts = demo_counts()
        self.stdout.write(
            self.style.SUCCESS(f"Territoire de démonstration prêt en {result.seconds:.1f} s.")
        )
        self.stdout.write(
            f"Données réelles (open data) : {counts['ecoles']} écoles, {counts['colleges']} "
            f"collèges, {counts['lycees']} lycées.\n"
            f"Données synthétiques : {counts['circonscriptions']} circonscriptions, "
            f"{counts['classes']} classes dont {counts['elementary']} élémentaires, "
            f"{counts['teachers']} enseignants dont {counts['new_teachers']} nouveaux."
        )
        self.stdout.write(
            f"Programme : {result.programme.targets} objectifs et {result.programme.envelopes} "
            "enveloppes créés (chiffres annoncés, répartitions « hypothèse de démonstration »)."
        )
        if line := equipment_line(result.equipment):
            self.stdout.write(line)
        if line := loans_line(result.loans):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(logins_table(result.logins))
        self.stdout.write(self.style.WARNING(WARNING))
        self.stdout.write(f"Adresse : {address(host, port)}")
        if serve:
            call_command("serve", host=host, port=port, workers=workers, threads=threads)
