"""A data file that is missing or unreadable stops the demo (and the bench) with one French
sentence naming the file and the setting, before anything is written; never a traceback."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bench import loading
from tne.core.data import DataFileError
from tne.demo.loader import DEMO_FILES
from tne.territory.models import School, TerritoryNode

HINT = "vérifiez TNE_DATA_DIR (dossier des données ouvertes)."


@pytest.fixture
def empty_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.VAR_DIR = tmp_path / "var"
    return settings.DATA_DIR


def test_the_demo_names_the_missing_file_and_the_setting(db, empty_data_dir):
    with pytest.raises(CommandError) as caught:
        call_command("demo")

    first = empty_data_dir / "opendata" / "dep02_dep95" / DEMO_FILES[0]
    assert str(caught.value) == f"Fichier de données introuvable : {first} ; {HINT}"
    assert not TerritoryNode.objects.exists()


def test_the_demo_checks_every_file_before_writing_anything(db, empty_data_dir, settings):
    pilot = empty_data_dir / "opendata" / "dep02_dep95"
    shutil.copytree(settings.DEFAULT_DATA_DIR / "opendata" / "dep02_dep95", pilot)
    (pilot / "ecoles_1d_rentree2025_dep95_extrait.csv").unlink()

    with pytest.raises(CommandError, match=r"rentree2025_dep95_extrait\.csv ; vérifiez"):
        call_command("demo")

    assert not School.objects.exists()


def test_a_file_that_cannot_be_opened_is_named_as_unreadable(db, empty_data_dir):
    pilot = empty_data_dir / "opendata" / "dep02_dep95"
    (pilot / DEMO_FILES[0]).mkdir(parents=True)

    with pytest.raises(DataFileError) as caught:
        call_command("demo")

    assert str(caught.value) == (
        f"Fichier de données illisible : {pilot / DEMO_FILES[0]} (c'est un dossier) ; {HINT}"
    )


def test_tne_demo_exits_with_the_sentence_and_no_traceback(tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    environment = {
        **os.environ,
        "TNE_DATA_DIR": str(empty),
        "TNE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "1",
    }

    finished = subprocess.run(
        [sys.executable, "-m", "tne.cli", "demo"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    missing = empty / "opendata" / "dep02_dep95" / DEMO_FILES[0]
    assert f"Fichier de données introuvable : {missing} ; {HINT}" in finished.stderr


def test_the_bench_names_the_missing_national_file_and_the_setting(tmp_path):
    with pytest.raises(SystemExit) as caught:
        loading.source_files(tmp_path, quick=False, var_dir=tmp_path)

    missing = tmp_path / loading.NATIONAL_FILES[0]
    assert str(caught.value) == f"Fichier de données introuvable : {missing} ; {HINT}"
