"""Importing one open-data file: read and check every line first, then write everything in one
transaction, or nothing at all."""

import time
from pathlib import Path
from typing import NoReturn

from django.db import connection, transaction

from tne.core.formats import plural
from tne.core.models import AuditSource
from tne.core.progress import Progress
from tne.core.rowerrors import ErrorCollector, ImportFileError, RowError
from tne.core.scope import EVERYTHING, Scope
from tne.core.tabular import CsvTable

from .base import Cells, Importer, ImportReport
from .colleges_effectifs import CollegesEffectifsImporter
from .colleges_geoloc import CollegesGeolocImporter
from .colleges_ips import CollegesIpsImporter
from .communes import CommunesImporter
from .ecoles_ips import EcolesIpsImporter
from .lycees_ips import LyceesIpsImporter
from .schools import Move, ScopeConflict

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


class KindError(ImportFileError):
    """The kind chosen for a file does not fit its header, or its header fits several kinds."""


def _refuse(error: type[ImportFileError], table: CsvTable, message: str, *, line=1) -> NoReturn:
    """Raises ``error`` about the whole file (its header, by default)."""
    raise error([RowError(table.label, line, None, message)])


def importers_for(scope: Scope) -> list[Importer]:
    """The importers ``scope`` may use: all for national steering, else the non-national ones."""
    return [i for i in KINDS.values() if scope.everything or not i.national_only]


def _labels(kinds) -> str:
    return ", ".join(f"« {KINDS[kind].label} »" for kind in kinds)


def _kind_of(table: CsvTable, scope: Scope) -> str:
    header = set(table.header)
    found = [kind for kind, importer in KINDS.items() if header.issuperset(importer.columns)]
    if not found:
        allowed = [importer.kind for importer in importers_for(scope)]
        _refuse(
            ImportFileError,
            table,
            "type de fichier non reconnu d'après son en-tête, qui n'est celui d'aucun des "
            f"fichiers acceptés ({_labels(allowed)}).",
        )
    if len(found) > 1:
        _refuse(
            KindError,
            table,
            f"en-tête ambigu, celui de {_labels(found)} : préciser le type de fichier.",
        )
    return found[0]


def _importer(table: CsvTable, kind: str | None, scope: Scope) -> Importer:
    """The importer of ``kind`` (found from the header when None), if ``scope`` may use it."""
    if kind is None:
        kind = _kind_of(table, scope)
    elif kind not in KINDS:
        _refuse(KindError, table, f"type « {kind} » inconnu ({', '.join(KINDS)}).", line=None)
    importer = KINDS[kind]
    if importer.national_only and not scope.everything:
        _refuse(
            ImportFileError,
            table,
            f"les fichiers « {importer.label} » sont réservés au pilotage national.",
            line=None,
        )
    return importer


def detect_kind(
    path: str | Path,
    kind: str | None = None,
    *,
    label: str | None = None,
    scope: Scope = EVERYTHING,
) -> str:
    """The kind of a file, from the columns of its header; a ``kind`` chosen by the user is
    checked against them. Raises :class:`KindError` when the header fits several kinds or not
    the chosen one, :class:`ImportFileError` when the file is unreadable, fits no kind or is of a
    kind ``scope`` may not import. ``label``: the file's name in the errors."""
    table = CsvTable(path, label=label)
    importer = _importer(table, kind, scope)
    missing = [column for column in importer.columns if column not in table.header]
    if missing:
        _refuse(
            KindError,
            table,
            f"ce n'est pas un fichier « {importer.label} » : il y manque les colonnes "
            f"{', '.join(missing)}.",
        )
    return importer.kind


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
    label: str | None = None,
    progress: Progress | None = None,
    actor=None,
    source: str = AuditSource.CLI,
    job=None,
    dry_run: bool = False,
    scope: Scope = EVERYTHING,
) -> ImportReport:
    """Imports one file of ``kind`` (found from its header when None), named ``label`` in the
    errors (its own name by default), within ``scope`` (the importing user's): the rows about
    schools outside the scope are left out and reported; a row that would move a school across
    its edge, or a file with no row in the scope, is refused. Raises :class:`ImportFileError`
    with every error found, having written nothing; with ``dry_run``, checks and counts
    everything then rolls back."""
    progress = progress or Progress()
    started = time.monotonic()
    table = CsvTable(path, label=label)
    importer = _importer(table, kind, scope)
    try:
        rows, diagnostics = _read(table, importer, progress)
        if not rows:
            raise ImportFileError([_no_rows(table)])
        with transaction.atomic():
            _one_import_at_a_time()
            result = importer.write(
                rows, actor=actor, source=source, job=job, progress=progress, scope=scope
            )
            if rows and len(result.out_of_scope) == len(rows):
                raise ImportFileError([_nothing_in_scope(table, result.out_of_scope)])
            if dry_run:
                transaction.set_rollback(True)
    except ScopeConflict as exc:
        raise ImportFileError([_move_error(table, importer, move) for move in exc.moves]) from None
    finally:
        progress.close()
    return ImportReport(
        kind=importer.kind,
        label=importer.label,
        rows=len(rows),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
        out_of_scope=result.out_of_scope,
        warnings=[str(warning) for warning in diagnostics.warnings],
        nodes_created=result.nodes_created,
        dry_run=dry_run,
        seconds=round(time.monotonic() - started, 2),
    )


def _no_rows(table: CsvTable) -> RowError:
    return RowError(
        table.label, None, None, "le fichier n'a aucune ligne de données après son en-tête."
    )


def _nothing_in_scope(table: CsvTable, out_of_scope: list[tuple[int, str]]) -> RowError:
    line, uai = out_of_scope[0]
    count = len(out_of_scope)
    return RowError(
        table.label,
        None,
        None,
        f"Aucune ligne de ce fichier ne concerne votre périmètre : {plural(count, 'ligne|lignes')} "
        "sur des établissements qui en sont hors (la première : "
        f"{uai}, ligne {line}).",
    )


def _move_error(table: CsvTable, importer: Importer, move: Move) -> RowError:
    if move.into_scope:
        change = f"ferait entrer dans votre périmètre l'établissement {move.uai}, qui en est hors"
    else:
        change = f"déplacerait l'établissement {move.uai} hors de votre périmètre"
    return RowError(
        table.label,
        move.line,
        importer.commune_column or importer.key_column,
        f"cette ligne {change} : seul un compte dont le périmètre couvre les deux communes peut "
        "importer ce changement.",
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
