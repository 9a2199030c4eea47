"""TNE stands on its own repository: no file points outside it, the open data it reads are inside
it, and each data file is described in data/README.md."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tne.demo.calibration import SAMPLE_FILES
from tne.demo.loader import DEMO_FILES

ROOT = Path(settings.BASE_DIR)
DATA = ROOT / "data"
# Built by concatenation so that this file does not contain what it looks for.
WORKSHOP = "sha" + "red"
FORBIDDEN = ("../" + WORKSHOP, *(f"{WORKSHOP}/{part}" for part in ("data", "docs", "seed")))
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".ruff_cache"}


def repository_files() -> list[Path]:
    """The files git tracks, plus the new ones it does not ignore; a walk of the tree (skipping
    .git, .venv, var…) when git is not there (an exported archive)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, dirs, names in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
            files += [Path(folder) / name for name in names]
        return files


def test_no_file_of_the_repository_points_outside_it():
    found = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError):
            continue  # Images and other binary files.
        for number, line in enumerate(text.splitlines(), start=1):
            found += [
                f"{path.relative_to(ROOT)}:{number}: « {forbidden} » : {line.strip()[:120]}"
                for forbidden in FORBIDDEN
                if forbidden in line
            ]
    assert not found, "Des fichiers pointent hors du dépôt :\n" + "\n".join(found)


def test_the_default_data_folder_is_inside_the_repository():
    from tne import settings as tne_settings

    default = Path(tne_settings.DEFAULT_DATA_DIR).resolve()

    assert default == DATA.resolve()
    assert default.is_relative_to(ROOT.resolve())
    if "TNE_DATA_DIR" not in os.environ:
        assert Path(settings.DATA_DIR).resolve() == default


@pytest.mark.parametrize(
    "relative",
    [
        *(f"opendata/dep02_dep95/{name}" for name in (*DEMO_FILES, *SAMPLE_FILES)),
        "geo/geo_communes-02-aisne.geojson",
        "geo/geo_communes-95-val-d-oise.geojson",
    ],
)
def test_the_files_the_demo_and_the_map_read_are_in_the_repository(relative):
    assert (DATA / relative).is_file()


def test_the_files_the_bench_reads_are_in_the_repository():
    from bench.loading import NATIONAL_FILES

    assert all((DATA / "opendata" / "national" / name).is_file() for name in NATIONAL_FILES)


def test_the_data_readme_describes_every_data_file():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    files = [p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md"]

    assert files
    assert [p.relative_to(DATA) for p in files if p.name not in readme] == []
