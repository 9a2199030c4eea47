import html
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import Role, SchoolFactory, UserFactory, user_with_role
from tne.core.models import Job, JobStatus
from tne.territory.models import School

LYCEES = django_settings.DATA_DIR / "opendata" / "dep02_dep95" / "ips_lycees_dep02_dep95.csv"


def _lycees_extract(lines: int = 3) -> bytes:
    """The header and the first ``lines`` lycées of the real open-data file."""
    text = LYCEES.read_text(encoding="utf-8-sig")
    return "\n".join(text.splitlines()[: lines + 1]).encode() + b"\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def coordinator(tree):
    """A coordinator of Aisne: imports reference data of Aisne (the extracts are Aisne lycées)."""
    return user_with_role(Role.COORDINATOR, tree.aisne)


def _upload(client, content: bytes, name="lycees.csv", kind=""):
    return client.post(
        reverse("territory:import_upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "kind": kind},
    )


def _field_errors(response, field: str) -> str:
    """The errors shown under a field of the form, as text."""
    found = re.search(
        rf'<div [^>]*id="id_{field}-desc-error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return " ".join(html.unescape(strip_tags(found.group(1))).split()) if found else ""


def test_the_page_offers_a_file_and_its_kind(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("territory:import_upload")).content.decode()

    assert "<h1>Importer un fichier de référence</h1>" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "Détection automatique" in html and "Lycées et IPS" in html


def test_a_coordinator_uploads_a_file_that_a_job_imports(
    client, coordinator, media_root, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, _lycees_extract(3))

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == "territory.import" and job.created_by == coordinator
    assert job.params["kind"] == "lycees_ips" and job.params["name"] == "lycees.csv"
    saved = list((media_root / "imports").iterdir())
    assert [str(p) for p in saved] == [job.params["path"]]
    assert saved[0].name.endswith("-lycees.csv")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 3
    assert School.objects.filter(uai__in=["0020022N", "0020049T"]).count() == 2

    page = client.get(response["Location"]).content.decode()
    assert "Terminé" in page and "Créés" in page and "<dd>3</dd>" in page
    assert "<dt>Type de fichier</dt><dd>Lycées et IPS</dd>" in page
    assert "lycees_ips" not in page


def test_a_bad_file_gives_a_failed_job_naming_the_line_and_column(
    client, coordinator, django_capture_on_commit_callbacks
):
    content = _lycees_extract(2).replace(b";80.2;80.2", b";80.2;quatre-vingts")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, content, name="bad3.csv", kind="lycees_ips")

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert not School.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Le traitement a échoué" in page
    assert "bad3.csv, ligne 2, colonne « ips_ensemble_gt_pro »" in page
    stored = Path(job.params["path"]).name
    assert stored != "bad3.csv" and stored not in page and stored not in job.message


def test_a_file_of_unknown_kind_is_refused_on_the_form(client, coordinator, media_root):
    client.force_login(coordinator)

    response = _upload(client, b"a;b;c\n1;2;3\n", name="autre.csv")

    assert response.status_code == 200
    errors = _field_errors(response, "file")
    assert errors.startswith("Fichier « autre.csv », ligne 1 : type de fichier non reconnu")
    assert "« Lycées et IPS »" in errors and "lycees_ips" not in errors
    assert "Communes" not in errors  # not for a coordinator
    assert _field_errors(response, "kind") == ""
    assert not Job.objects.exists()
    assert list((media_root / "imports").iterdir()) == []


def test_a_file_not_in_utf8_is_refused_on_the_file_field(client, coordinator):
    client.force_login(coordinator)

    response = _upload(client, _lycees_extract(1).replace(b"AMIENS", "AMIÉNS".encode("latin-1")))

    assert _field_errors(response, "file") == (
        "Fichier « lycees.csv », ligne 2 : le fichier n'est pas encodé en UTF-8."
    )
    assert _field_errors(response, "kind") == ""
    assert not Job.objects.exists()


def test_an_empty_file_is_refused_on_the_file_field(client, coordinator):
    client.force_login(coordinator)

    response = _upload(client, b"\n", name="vide.csv", kind="lycees_ips")

    assert _field_errors(response, "file").startswith(
        "Fichier « vide.csv », ligne 1 : le fichier est vide"
    )
    assert _field_errors(response, "kind") == ""


def test_a_kind_that_does_not_fit_the_file_is_refused_on_the_kind_field(
    client, coordinator, media_root
):
    client.force_login(coordinator)

    response = _upload(client, _lycees_extract(1), kind="colleges_ips")

    assert _field_errors(response, "file") == ""
    assert _field_errors(response, "kind").startswith(
        "Fichier « lycees.csv », ligne 1 : ce n'est pas un fichier « Collèges : IPS » : il y "
        "manque les colonnes Rentrée scolaire, UAI, IPS"
    )
    assert not Job.objects.exists()
    assert list((media_root / "imports").iterdir()) == []


def test_the_communes_file_is_only_offered_to_national_steering(client, tree, coordinator):
    client.force_login(coordinator)
    assert (
        "Communes (centres)" not in client.get(reverse("territory:import_upload")).content.decode()
    )
    communes = (
        b"code_insee;nom;code_departement;lat_centroide;lon_centroide\n02408;Laon;02;49.5;3.6\n"
    )

    refused = _upload(client, communes, name="communes.csv")

    assert _field_errors(refused, "file") == (
        "Fichier « communes.csv » : les fichiers « Communes (centres) » sont réservés au pilotage "
        "national."
    )
    assert not Job.objects.exists()
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    assert "Communes (centres)" in client.get(reverse("territory:import_upload")).content.decode()


def test_only_csv_files_are_accepted(client, coordinator):
    client.force_login(coordinator)

    response = _upload(client, b"%PDF-1.4", name="rapport.pdf")

    assert response.status_code == 200
    assert "Le fichier doit être un fichier CSV" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["national", "superuser"])
def test_national_steering_and_superusers_may_import(client, tree, role):
    if role == "national":
        user = user_with_role(Role.NATIONAL, tree.country)
    else:
        user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)

    assert client.get(reverse("territory:import_upload")).status_code == 200


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_HEAD])
def test_the_upload_is_forbidden_to_school_roles(client, tree, role):
    user = user_with_role(role, SchoolFactory(commune=tree.laon))
    client.force_login(user)

    assert client.get(reverse("territory:import_upload")).status_code == 403
    assert _upload(client, _lycees_extract(1)).status_code == 403
    assert not Job.objects.exists()


def test_the_upload_is_forbidden_to_other_territorial_roles(client, tree):
    for role, node in [
        (Role.EVALUATOR, tree.aisne),
        (Role.LOCAL_AUTHORITY, tree.aisne),
        (Role.EVALUATOR, tree.country),
    ]:
        client.force_login(user_with_role(role, node))
        assert client.get(reverse("territory:import_upload")).status_code == 403


def _with_a_val_d_oise_lycee(lines: int = 2) -> bytes:
    """Aisne lycées, then the first Val-d'Oise lycée of the real file."""
    text = LYCEES.read_text(encoding="utf-8-sig").splitlines()
    vdo = next(line for line in text if ";VERSAILLES;095;" in line)
    return "\n".join([*text[: lines + 1], vdo]).encode() + b"\n"


def test_a_coordinator_imports_the_rows_of_their_scope_and_sees_the_others_reported(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, _with_a_val_d_oise_lycee(), name="ips_lycees_dep02_dep95.csv")

    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 2 and job.result["out_of_scope"] == 1
    assert set(School.objects.values_list("departement__code", flat=True)) == {"02"}
    page = client.get(response["Location"]).content.decode()
    assert "<dt>Hors de votre périmètre (non importées)</dt><dd>1\xa0ligne</dd>" in page
    vdo = job.result["out_of_scope_first"]
    assert vdo.startswith("095") and vdo.endswith(" (ligne 4)")
    assert f"<dd>{vdo}</dd>" in page


def test_a_file_with_nothing_in_the_coordinators_scope_is_refused(
    client, tree, django_capture_on_commit_callbacks
):
    client.force_login(user_with_role(Role.COORDINATOR, tree.vdo))
    aisne_only = _lycees_extract(2)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, aisne_only, name="aisne.csv")

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "aisne.csv : Aucune ligne de ce fichier ne concerne votre périmètre" in job.message
    assert not School.objects.exists()
    assert (
        "Aucune ligne de ce fichier ne concerne votre périmètre"
        in client.get(response["Location"]).content.decode()
    )


def test_national_steering_imports_every_departement(
    client, tree, django_capture_on_commit_callbacks
):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, _with_a_val_d_oise_lycee())

    assert Job.objects.get().status == JobStatus.SUCCEEDED
    assert set(School.objects.values_list("departement__code", flat=True)) == {"02", "95"}


def test_a_job_runs_with_the_roles_its_creator_has_when_it_runs(
    client, coordinator, django_capture_on_commit_callbacks
):
    from tne.accounts.roles import withdraw_role
    from tne.core.jobs import run_job_now

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        _upload(client, _lycees_extract(1))
    withdraw_role(assignment=coordinator.role_assignments.get())

    job = run_job_now(Job.objects.get().pk)

    assert job.status == JobStatus.FAILED
    assert "plus le droit" in job.message
    assert not School.objects.exists()


def test_a_file_over_the_size_limit_is_refused_while_read_and_never_stored(
    client, coordinator, media_root, settings
):
    settings.TNE_MAX_UPLOAD_BYTES = 2048
    client.force_login(coordinator)

    response = _upload(client, _lycees_extract(40))  # about 5 kB

    assert response.status_code == 200
    assert "Le fichier dépasse 2\xa0ko." in response.content.decode()
    assert not Job.objects.exists()
    assert not any(media_root.rglob("*.csv"))


def test_a_file_under_the_size_limit_goes_through(client, coordinator, settings):
    settings.TNE_MAX_UPLOAD_BYTES = 64 * 1024
    client.force_login(coordinator)

    assert _upload(client, _lycees_extract(3)).status_code == 302
