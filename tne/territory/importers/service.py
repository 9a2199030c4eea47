"""Importing one open-data file: read and check every line first, then write everything in one
transaction, or nothing at all."""

import time
from pathlib import Path

from django.db import connection, transaction

from tne.core.models import AuditSource
from tne.core.progress import Progress
from tne.core.scope import EVERYTHING, Scope

from .base import Cells, Importer, ImportReport
from .colleges_effectifs import CollegesEffectifsImporter
from .colleges_geoloc import CollegesGeolocImporter
from .colleges_ips import CollegesIpsImporter
from .communes import CommunesImporter
from .ecoles_ips import EcolesIpsImporter
from .errors import ErrorCollector, ImportFileError, RowError
from .lycees_ips import LyceesIpsImporter
from .reader import CsvTable
from .schools import OutOfScope

# In the order files should be imported: the communes, then the lists of schools, then the
# files that only enrich known collèges.
KINDS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (
        CommunesImporter(),
        EcolesIpsImporter(),
        CollegesGeolocImporter(),
        CollegesEffectifsImporter(),
        CollegesIpsImporter(),
        LyceesIpsImporter(),
    )
}


def _kind_of(table: CsvTable) -> str:
    header = set(table.header)
    found = [kind for kind, importer in KINDS.items() if header.issuperset(importer.columns)]
    if len(found) != 1:
        message = (
            "type de fichier non reconnu d'après son en-tête"
            if not found
            else f"en-tête ambigu ({', '.join(found)})"
        )
        raise ImportFileError(
            [RowError(table.label, 1, None, f"{message} ; préciser le type ({', '.join(KINDS)}).")]
        )
    return found[0]


def detect_kind(path: str | Path) -> str:
    """The kind of a file, from the columns of its header."""
    return _kind_of(CsvTable(path))


def _read(table: CsvTable, importer: Importer, progress: Progress) -> tuple[list, ErrorCollector]:
    """Every row of the file, checked; raises ImportFileError listing the errors, if any."""
    table.require(importer.columns)
    diagnostics = ErrorCollector(table.label)
    rows, lines = [], {}
    progress.start(table.approx_rows, f"Lecture de {table.label}")
    for line, record in table.rows(on_error=diagnostics.add):
        cells = Cells(line, record, diagnostics)
        row = importer.parse(cells)
        if cells.ok:
            key = importer.key(row)
            if key in lines:
                cells.error(importer.key_column, f"{key} figure déjà ligne {lines[key]}.")
            else:
                lines[key] = line
                rows.append(row)
        progress.advance()
    diagnostics.raise_if_any()
    return rows, diagnostics


def import_file(
    path: str | Path,
    kind: str | None = None,
    *,
    progress: Progress | None = None,
    actor=None,
    source: str = AuditSource.CLI,
    job=None,
    dry_run: bool = False,
    scope: Scope = EVERYTHING,
) -> ImportReport:
    """Imports one file of ``kind`` (found from its header when None), within ``scope`` (the
    importing user's: every school the file creates or changes must be in it). Raises
    :class:`ImportFileError` with every error found, having written nothing; with ``dry_run``,
    checks and counts everything then rolls back."""
    progress = progress or Progress()
    started = time.monotonic()
    table = CsvTable(path)
    if kind is None:
        kind = _kind_of(table)
    elif kind not in KINDS:
        raise ImportFileError(
            [RowError(table.label, None, None, f"type « {kind} » inconnu ({', '.join(KINDS)}).")]
        )
    importer = KINDS[kind]
    if importer.national_only and not scope.everything:
        raise ImportFileError(
            [RowError(table.label, None, None, f"{importer.label} : réservé au pilotage national.")]
        )
    try:
        rows, diagnostics = _read(table, importer, progress)
        with transaction.atomic():
            _one_import_at_a_time()
            result = importer.write(
                rows, actor=actor, source=source, job=job, progress=progress, scope=scope
            )
            if dry_run:
                transaction.set_rollback(True)
    except OutOfScope as exc:
        raise ImportFileError(
            [
                RowError(
                    table.label,
                    line,
                    importer.key_column,
                    f"l'établissement {uai} est, ou serait, hors de votre périmètre.",
                )
                for line, uai in exc.lines
            ]
        ) from None
    finally:
        progress.close()
    return ImportReport(
        kind=kind,
        rows=len(rows),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
        warnings=[str(warning) for warning in diagnostics.warnings],
        nodes_created=result.nodes_created,
        dry_run=dry_run,
        seconds=round(time.monotonic() - started, 2),
    )


# Any fixed number: the key of the PostgreSQL advisory lock that serialises imports.
IMPORT_LOCK_KEY = 727_001


def _one_import_at_a_time() -> None:
    """Two imports read the existing rows then write: run concurrently they would insert the same
    UAI twice or audit stale values. PostgreSQL: a transaction-level advisory lock, released at
    commit. SQLite serialises writing transactions already (``transaction_mode=IMMEDIATE``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
