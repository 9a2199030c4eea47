"""Step 2: the national school files loaded with the real importer service, each file timed.

``--quick`` loads the same files cut down to two départements (rows whose UAI starts with the
département code), written once under ``var/bench/quick-data/`` with the original bytes (BOM,
separator, line endings), so the importer reads exactly what it reads at national scale."""

import csv
import sys
import time
from pathlib import Path

from . import state

# Import order matters: the collèges' geolocation file creates them, the next two complete them.
NATIONAL_FILES = (
    "national_fr-en-ips_ecoles_2021-2022.csv",
    "national_fr-en-adresse-et-geolocalisation_colleges.csv",
    "national_dnb2021_effectifs_rep_ips_colleges_derive.csv",
    "national_ips_colleges_rentree2023.csv",
    "national_fr-en-ips_lycees_2021-2022.csv",
)
UAI_COLUMNS = {"uai", "numero_uai", "numero_college"}
QUICK_DEPARTEMENTS = ("002", "095")
# A file refused for more lines than this is not retried without them: it is wrong.
MAX_REFUSED_LINES = 20


def _sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def filter_by_uai_prefix(source: Path, target: Path, prefixes: tuple[str, ...]) -> int:
    """Copies the header and the rows of ``source`` whose UAI starts with one of ``prefixes``;
    returns the number of rows kept. Every row of these files is one physical line."""
    raw = source.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    lines = raw[len(bom) :].decode("utf-8").splitlines(keepends=True)
    header = lines[0]
    delimiter = _sniff_delimiter(header)
    columns = [c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter))]
    try:
        uai_index = next(i for i, c in enumerate(columns) if c in UAI_COLUMNS)
    except StopIteration:
        raise SystemExit(f"{source.name} : aucune colonne UAI.") from None
    kept = [
        line
        for line in lines[1:]
        if next(csv.reader([line], delimiter=delimiter))[uai_index].startswith(prefixes)
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bom + "".join([header, *kept]).encode("utf-8"))
    return len(kept)


def source_files(national_dir: Path, *, quick: bool, var_dir: Path) -> list[Path]:
    """The national files (``data/opendata/national/`` of the repository by default), or their
    two-département cuts with ``quick``; a missing or unreadable file stops the bench with one
    sentence naming it and the setting."""
    from tne.core.data import DataFileError, require_data_files

    try:
        require_data_files(national_dir / name for name in NATIONAL_FILES)
    except DataFileError as exc:
        raise SystemExit(str(exc)) from None
    if not quick:
        return [national_dir / name for name in NATIONAL_FILES]
    quick_dir = var_dir / "bench" / "quick-data"
    paths = []
    for name in NATIONAL_FILES:
        target = quick_dir / name
        filter_by_uai_prefix(national_dir / name, target, QUICK_DEPARTEMENTS)
        paths.append(target)
    return paths


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _summary(report) -> str:
    """« 32 091 créés, 0 mis à jour… » from the importer's report."""
    labels = (
        ("created", "créés"),
        ("updated", "mis à jour"),
        ("unchanged", "inchangés"),
        ("nodes_created", "nœuds créés"),
    )
    parts = [f"{getattr(report, name)} {label}" for name, label in labels if hasattr(report, name)]
    for name, label in (("skipped", "ignorés"), ("warnings", "avertissements")):
        if getattr(report, name, None):
            parts.append(f"{len(getattr(report, name))} {label}")
    return ", ".join(parts)


def importer_available() -> bool:
    try:
        from tne.territory.importers import import_file  # noqa: F401
    except ImportError:
        return False
    return True


def without_lines(source: Path, target: Path, refused: set[int]) -> None:
    """A copy of ``source`` without its physical lines ``refused`` (1 is the header)."""
    lines = source.read_bytes().splitlines(keepends=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(line for n, line in enumerate(lines, 1) if n not in refused))


def _import_timed(import_file, path: Path):
    from tne.core.progress import BarProgress

    started = time.perf_counter()
    report = import_file(path, progress=BarProgress(stream=sys.stderr))
    return report, time.perf_counter() - started


def load_files(paths: list[Path], *, var_dir: Path) -> list[dict]:
    """Imports each file with the real service and times it; the timings are kept in the bench
    state so that a later run that skips the load still reports them.

    A file the importer refuses for a few lines (real open data has a few gaps) is reported as
    such, then imported without those lines, so that the pages are still measured at scale."""
    from tne.core.rowerrors import ImportFileError
    from tne.territory.importers import import_file

    timings = []
    for path in paths:
        print(f"Import de {path.name}…", file=sys.stderr, flush=True)
        entry = {"file": path.name, "rows": _count_rows(path), "refused": []}
        try:
            report, seconds = _import_timed(import_file, path)
        except ImportFileError as exc:
            lines = {error.line for error in exc.errors}
            if None in lines or len(lines) > MAX_REFUSED_LINES:
                raise SystemExit(f"{path.name} refusé par l'importeur :\n{exc}") from None
            print(f"{exc}\nNouvel essai sans ces lignes.", file=sys.stderr, flush=True)
            entry["refused"] = [str(error) for error in exc.errors]
            trimmed = var_dir / "bench" / "trimmed" / path.name
            without_lines(path, trimmed, lines)
            report, seconds = _import_timed(import_file, trimmed)
        entry.update(seconds=round(seconds, 2), result=_summary(report))
        timings.append(entry)
    state.write("load", timings)
    return timings


def loaded_timings() -> list[dict] | None:
    return state.read("load")
