"""The import page's tools: the DSFR upload field with the accepted type and the size limit, an
empty file of each kind (its header) with its columns explained, and the imports of the command
line listed with those of the page."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.core.models import Job
from tne.territory.importers import KINDS, importers_for
from tne.territory.uploads import IMPORT_JOB_KIND

pytestmark = pytest.mark.django_db

URL = reverse("territory:import_upload")


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


def test_the_file_field_is_the_dsfr_upload_with_type_and_size(client, coordinator, settings):
    settings.TNE_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert re.search(r'<div class="fr-upload-group[^"]*"', html)
    assert re.search(r'<input class="fr-upload" type="file" name="file"[^>]*accept="\.csv', html)
    hint = re.search(r'id="id_file-hint">(.*?)</span>', html, re.S).group(1)
    assert "50\u00a0Mo" in hint and ".csv" in hint


def test_each_kind_has_a_template_with_its_columns(client, coordinator):
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    for importer in importers_for_coordinator(coordinator):
        url = reverse("territory:import_template", args=[importer.kind])
        assert f'href="{url}"' in html
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'modele-{importer.kind}.csv"')
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert header == list(importer.columns)
        assert f"<code>{importer.key_column}</code>" in html


def importers_for_coordinator(user):
    from tne.core.scope import scope_of
    from tne.territory.perms import IMPORT_REFERENCE

    return importers_for(scope_of(user, IMPORT_REFERENCE))


def test_the_template_of_a_kind_out_of_reach_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert KINDS["communes"].national_only
    assert client.get(reverse("territory:import_template", args=["communes"])).status_code == 404
    assert client.get(reverse("territory:import_template", args=["nope"])).status_code == 404


def test_an_outsider_gets_no_template(client, tree):
    client.force_login(user_with_role(Role.LOCAL_AUTHORITY, tree.laon))
    response = client.get(reverse("territory:import_template", args=["ecoles_ips"]))
    assert response.status_code == 403


def test_imports_of_the_command_line_are_listed(client, coordinator, settings):
    path = (
        settings.DEFAULT_DATA_DIR / "opendata/dep02_dep95/communes_dep02_dep95_2018_centroides.csv"
    )
    call_command("import", str(path), verbosity=0)
    job = Job.objects.get(kind=IMPORT_JOB_KIND)
    assert job.params["source"] == "cli" and job.created_by is None
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert "Aucun import" not in html
    assert path.name in html and "ligne de commande" in html
    # The coordinator may not open the job page of another's import: no link to it.
    assert reverse("core:job_detail", args=[job.pk]) not in html
