from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tne.core.jobs import fail_stale_jobs
from tne.demo.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_THREADS,
    DEFAULT_WORKERS,
    ServerStopped,
    address,
    run_processes,
    server_commands,
)


def add_server_arguments(parser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="Adresse d'écoute (127.0.0.1).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="Port (8000).")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"Processus gunicorn (un par cœur : {DEFAULT_WORKERS}).",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"Fils d'exécution par processus ({DEFAULT_THREADS}).",
    )


class Command(BaseCommand):
    help = (
        "Sert TNE avec gunicorn (fichiers statiques par whitenoise) et lance le traitement des "
        "tâches de fond ; Ctrl-C arrête les deux."
    )

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host, port, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        fail_stale_jobs()
        commands = server_commands(host=host, port=port, workers=workers, threads=threads)
        self.stdout.write(
            self.style.SUCCESS(f"TNE est servi sur {address(host, port)} (Ctrl-C pour arrêter).")
        )
        try:
            run_processes(commands)
        except ServerStopped as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("TNE est arrêté.")
