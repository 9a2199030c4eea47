"""``tne import FILE [FILE…] [--kind K] [--dry-run]``: imports open-data files, all or nothing.

The kinds of file other apps register in :mod:`tne.core.filekinds` (an equipment delivery
file, an inventory export…) are recognised by their header too, and imported by their own
runner in the same transaction."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tne.core.filekinds import FileKind, kind_for_header
from tne.core.formats import fr_decimal, plural
from tne.core.models import AuditSource
from tne.core.progress import BarProgress, Progress
from tne.core.rowerrors import ImportFileError
from tne.core.sheets import open_table
from tne.territory.importers import KINDS, ImportReport, detect_kind, import_file
from tne.territory.uploads import record_command_line_import

SHOWN = 10


class Command(BaseCommand):
    help = (
        "Importe des fichiers de données ouvertes (écoles, collèges, lycées, communes) ; le type "
        "de chaque fichier est reconnu à son en-tête. Tout ou rien : un fichier en erreur annule "
        "tout l'import."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", type=Path, help="fichiers CSV (ou XLSX selon le type) à importer"
        )
        parser.add_argument(
            "--kind", choices=list(KINDS), help="type des fichiers, s'il ne faut pas le deviner"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifie et compte tout, sans rien enregistrer"
        )

    def handle(self, *args, files, kind, dry_run, verbosity, **options):
        try:
            others = {} if kind else {path: self._other_kind(path) for path in files}
            others = {path: other for path, other in others.items() if other is not None}
            # Communes first, then the lists of schools, then what enriches them.
            plan = sorted(
                ((path, kind or detect_kind(path)) for path in files if path not in others),
                key=lambda item: list(KINDS).index(item[1]),
            )
            with transaction.atomic():
                for path, other in others.items():
                    self._run_other(path, other, verbosity, dry_run)
                for path, file_kind in plan:
                    progress = BarProgress() if verbosity > 0 else Progress()
                    report = import_file(path, file_kind, progress=progress, source=AuditSource.CLI)
                    # Listed on the import page with the imports of the page.
                    record_command_line_import(report, name=Path(path).name)
                    self._print(path, report)
                if dry_run:
                    transaction.set_rollback(True)
        except ImportFileError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            errors = plural(len(exc.errors), "erreur|erreurs")
            raise CommandError(f"Import annulé, rien n'a été enregistré ({errors}).") from None
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation : rien n'a été enregistré."))

    def _run_other(self, path: Path, other: FileKind, verbosity: int, dry_run: bool) -> None:
        """Imports a file of a kind another app registered; its errors are printed as
        ``fichier:ligne:colonne: message``, one a line (what an editor or ``grep`` reads)."""
        progress = BarProgress() if verbosity > 0 else Progress()
        try:
            sentence = other.run(path, label=path.name, dry_run=dry_run, progress=progress)
        except ImportFileError as exc:
            for error in exc.errors:
                where = f"{error.file}:{error.line or ''}:{error.column or ''}"
                self.stderr.write(f"{where}: {error.message}")
            errors = plural(len(exc.errors), "erreur|erreurs")
            raise CommandError(f"Import annulé, rien n'a été enregistré ({errors}).") from None
        self.stdout.write(self.style.SUCCESS(f"{path.name} ({other.label}) :") + f" {sentence}")

    @staticmethod
    def _other_kind(path: Path) -> FileKind | None:
        """The kind another app registered whose columns the header of ``path`` holds."""
        try:
            return kind_for_header(open_table(path).header)
        except ImportFileError:
            return None

    def _print(self, path: Path, report: ImportReport) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"{path.name} ({KINDS[report.kind].label}, {report.kind}) :")
            + f" {plural(report.rows, 'ligne|lignes')}, {plural(report.created, 'créé|créés')}, "
            f"{plural(report.updated, 'mis à jour|mis à jour')}, "
            f"{plural(report.unchanged, 'inchangé|inchangés')}, "
            f"{plural(len(report.skipped), 'ignoré|ignorés')} ; "
            f"{plural(report.nodes_created, 'nœud créé|nœuds créés')} dans le territoire ; "
            f"{fr_decimal(report.seconds)} s."
        )
        if report.skipped:
            shown = ", ".join(report.skipped[:SHOWN])
            more = (
                f" et {plural(len(report.skipped) - SHOWN, 'autre|autres')}"
                if len(report.skipped) > SHOWN
                else ""
            )
            self.stdout.write(f"  Ignorés (inconnus ou d'un autre type) : {shown}{more}.")
        for warning in report.warnings[:SHOWN]:
            self.stdout.write(self.style.WARNING(f"  Attention : {warning}"))
        if len(report.warnings) > SHOWN:
            more = plural(len(report.warnings) - SHOWN, "autre avertissement|autres avertissements")
            self.stdout.write(self.style.WARNING(f"  … et {more}."))
