"""What a refused import leaves behind: a French message on its job page, and no file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import Role, user_with_role
from tests.territory.helpers_importers import fixture
from tne.core.models import Job, JobStatus
from tne.core.rowerrors import ImportFileError
from tne.territory.importers import import_file
from tne.territory.uploads import imports_dir

pytestmark = pytest.mark.django_db

HEADER = fixture("ips_ecoles.csv").read_text(encoding="utf-8").splitlines()[0]


def test_a_file_with_only_its_header_is_refused(tmp_path, tree):
    path = tmp_path / "vide.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as caught:
        import_file(path)

    assert [str(e) for e in caught.value.errors] == [
        "vide.csv : le fichier n'a aucune ligne de données après son en-tête."
    ]


def test_a_refused_upload_is_deleted_at_once_and_its_job_says_why(
    client, tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    bad = fixture("ips_ecoles.csv").read_text(encoding="utf-8").replace("0950957Z", "0950957A")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("territory:import_upload"),
            {"file": SimpleUploadedFile("ecoles.csv", bad.encode()), "kind": ""},
        )

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Fichier refusé, rien n'a été enregistré")
    assert "ecoles.csv, ligne 3" in job.message
    assert list(imports_dir().iterdir()) == []


def test_a_successful_upload_is_kept_as_the_record_of_the_import(
    client, tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("territory:import_upload"),
            {"file": SimpleUploadedFile("ecoles.csv", fixture("ips_ecoles.csv").read_bytes())},
        )

    assert Job.objects.get().status == JobStatus.SUCCEEDED
    assert len(list(imports_dir().iterdir())) == 1
