import os
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tne.core.models import Job, JobStatus
from tne.territory.uploads import IMPORT_JOB_KIND

DAY = 24 * 3600


@pytest.fixture
def imports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TNE_IMPORT_FILES_KEEP_DAYS = 90
    directory = tmp_path / "imports"
    directory.mkdir()
    return directory


def _file(directory, name, age_days):
    path = directory / name
    path.write_text("uai;nom\n")
    stamp = time.time() - age_days * DAY
    os.utime(path, (stamp, stamp))
    return path


def _purge(*args) -> str:
    out = StringIO()
    call_command("purge_imports", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_deletes_the_files_older_than_the_keeping_period_only(imports):
    old = _file(imports, "20260101-ecoles.csv", age_days=120)
    recent = _file(imports, "20261101-lycees.csv", age_days=10)

    output = _purge()

    assert not old.exists() and recent.exists()
    assert "20260101-ecoles.csv" in output and "20261101-lycees.csv" not in output
    assert "1 fichier(s) de plus de 90 jours supprimés" in output


@pytest.mark.django_db
def test_the_file_of_an_import_still_waiting_or_running_is_kept(imports):
    waiting = _file(imports, "attente.csv", age_days=200)
    running = _file(imports, "en-cours.csv", age_days=200)
    done = _file(imports, "fini.csv", age_days=200)
    owner = UserFactory()
    for path, status in ((waiting, JobStatus.PENDING), (running, JobStatus.RUNNING)):
        Job.objects.create(
            kind=IMPORT_JOB_KIND,
            label="Import",
            params={"path": str(path)},
            status=status,
            created_by=owner,
        )
    Job.objects.create(
        kind=IMPORT_JOB_KIND,
        label="Import",
        params={"path": str(done)},
        status=JobStatus.SUCCEEDED,
        created_by=owner,
    )

    _purge()

    assert waiting.exists() and running.exists() and not done.exists()


@pytest.mark.django_db
def test_a_dry_run_lists_without_deleting_and_days_overrides_the_setting(imports):
    path = _file(imports, "ecoles.csv", age_days=20)

    output = _purge("--days", "7", "--dry-run")

    assert path.exists()
    assert "ecoles.csv" in output and "1 fichier(s) de plus de 7 jours à supprimer" in output


@pytest.mark.django_db
def test_no_upload_yet_is_not_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    assert "0 fichier(s)" in _purge()


@pytest.mark.django_db
def test_a_negative_period_is_refused(imports):
    with pytest.raises(CommandError, match="--days"):
        _purge("--days", "-1")
