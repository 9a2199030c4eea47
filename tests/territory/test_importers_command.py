"""``tne import`` and the ``territory.import`` job."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tests.territory.helpers_importers import copy_with, fixture, table_counts
from tne.core.jobs import start_job
from tne.core.models import AuditEvent, AuditSource, JobStatus
from tne.territory.models import School

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_files_in_dependency_order_and_prints_the_report():
    # The brevet file enriches collèges: given first, it still runs after the collèges file.
    out, _ = run(fixture("dnb_colleges.csv"), fixture("geoloc_colleges.csv"))

    assert out.index("geoloc_colleges.csv") < out.index("dnb_colleges.csv")
    assert "4\xa0lignes, 4\xa0créés, 0\xa0mis à jour, 0\xa0inchangé, 0\xa0ignoré" in out
    assert "4\xa0lignes, 0\xa0créé, 3\xa0mis à jour, 0\xa0inchangé, 1\xa0ignoré" in out
    assert "Ignorés (inconnus ou d'un autre type) : 0021598B." in out
    assert School.objects.get(uai="0020090M").pupils_by_level["SEGPA"] == 59
    assert set(AuditEvent.objects.values_list("source", flat=True)) == {AuditSource.CLI}


def test_the_command_takes_the_kind_when_asked():
    out, _ = run(fixture("ips_lycees.csv"), "--kind", "lycees_ips")

    assert "(Lycées et IPS, lycees_ips)" in out
    assert School.objects.count() == 4


def test_a_bad_file_exits_with_the_errors_and_nothing_of_any_file_is_written(tmp_path):
    bad = copy_with(tmp_path, "ips_lycees.csv", {"public;LPO;110.8;80.6;100.1": "public;LPO;;;n/a"})
    counts = table_counts()
    err = StringIO()

    with pytest.raises(CommandError, match="Import annulé, rien n'a été enregistré"):
        call_command(
            "import",
            str(fixture("ips_ecoles.csv")),
            str(bad),
            stdout=StringIO(),
            stderr=err,
            verbosity=0,
        )

    assert "ips_lycees.csv, ligne 5, colonne « ips_ensemble_gt_pro »" in err.getvalue()
    assert "« n/a » n'est pas un nombre" in err.getvalue()
    assert table_counts() == counts


def test_a_dry_run_validates_and_counts_without_writing():
    counts = table_counts()

    out, _ = run(fixture("ips_ecoles.csv"), fixture("communes.csv"), "--dry-run")

    assert "6\xa0lignes, 6\xa0créés" in out
    assert "Simulation : rien n'a été enregistré." in out
    assert table_counts() == counts


def test_the_import_job_runs_the_importer_with_its_progress(django_capture_on_commit_callbacks):
    user = UserFactory(is_superuser=True)  # may import anywhere

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            kind="territory.import",
            label="Import des écoles",
            params={"path": str(fixture("ips_ecoles.csv")), "kind": None},
            user=user,
        )

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {
        "kind": "Écoles et IPS",
        "rows": 6,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert (job.total, job.done) == (6, 6)
    event = AuditEvent.objects.filter(job=job).first()
    assert (event.source, event.actor) == (AuditSource.IMPORT, user)
    assert AuditEvent.objects.filter(job=job).count() == 6


def test_a_bad_file_fails_the_job_with_the_first_errors(
    tmp_path, django_capture_on_commit_callbacks
):
    bad = copy_with(tmp_path, "ips_colleges.csv", {"2023;0951617S;88.0": "2023;0951617S;88,0,1"})

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            kind="territory.import",
            label="Import des IPS",
            params={"path": str(bad), "kind": "colleges_ips"},
            user=UserFactory(is_superuser=True),
        )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Fichier refusé, rien n'a été enregistré : 1\xa0erreur." in job.message
    assert "ips_colleges.csv, ligne 5, colonne « IPS »" in job.message
    assert School.objects.count() == 0
