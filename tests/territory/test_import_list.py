"""« Derniers imports » on the import page: the import jobs the user may read, newest first."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tests.factories import Role, UserFactory, grant, user_with_role
from tne.core.models import Job, JobStatus
from tne.territory.uploads import IMPORT_JOB_KIND, RECENT_IMPORTS

pytestmark = pytest.mark.django_db


def _import_job(user, name="lycees.csv", *, minutes_ago=0, **extra) -> Job:
    job = Job.objects.create(
        kind=IMPORT_JOB_KIND,
        label=f"Import de {name}",
        params={
            "path": f"/media/imports/20261128-213804-{name}",
            "kind": "lycees_ips",
            "name": name,
        },
        created_by=user,
        **extra,
    )
    Job.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return job


def _rows(html: str) -> list[str]:
    """The body rows of the table of imports, as text."""
    body = html.split('id="derniers-imports"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    return [" ".join(unescape(strip_tags(row)).split()) for row in body.split("</tr>")[:-1]]


@pytest.fixture
def coordinator(tree):
    user = UserFactory(first_name="Camille", last_name="Coord")
    grant(user, Role.COORDINATOR, tree.aisne)
    return user


def test_a_coordinator_sees_their_imports_newest_first(client, coordinator):
    done = _import_job(
        coordinator,
        "ips_lycees_dep02_dep95.csv",
        minutes_ago=10,
        status=JobStatus.SUCCEEDED,
        result={
            "kind": "Lycées et IPS",
            "created": 3,
            "updated": 1,
            "unchanged": 0,
            "out_of_scope": 48,
        },
    )
    failed = _import_job(
        coordinator,
        "bad3.csv",
        minutes_ago=5,
        status=JobStatus.FAILED,
        message="Fichier refusé, rien n'a été enregistré : 2 erreurs.\n"
        "- bad3.csv, ligne 2, colonne « ips » : « x » n'est pas un nombre.\n"
        "- bad3.csv, ligne 3, colonne « ips » : « y » n'est pas un nombre.",
    )
    waiting = _import_job(coordinator, "attente.csv")
    _import_job(UserFactory(), "autre.csv")  # someone else's
    Job.objects.create(kind="tests.other", label="Autre traitement", created_by=coordinator)
    client.force_login(coordinator)

    html = client.get(reverse("territory:import_upload")).content.decode()

    assert '<h2 id="derniers-imports"' in html
    assert "<caption>Derniers imports, du plus récent au plus ancien</caption>" in html
    rows = _rows(html)
    assert len(rows) == 3
    assert rows[0].startswith("attente.csv Lycées et IPS") and rows[0].endswith("En attente —")
    assert rows[1].startswith("bad3.csv Lycées et IPS")
    assert rows[1].endswith("Échec bad3.csv, ligne 2, colonne « ips » : « x » n'est pas un nombre.")
    assert "Camille Coord" in rows[2]
    assert rows[2].endswith("Terminé 3 créés, 1 mis à jour, 0 inchangé, 48 hors de votre périmètre")
    for job in (done, failed, waiting):
        assert f'href="{reverse("core:job_detail", args=[job.pk])}"' in html
    assert "20261128-213804" not in html
    assert "fr-badge fr-badge--error fr-badge--sm" in html


def test_national_steering_sees_every_import(client, tree, coordinator):
    _import_job(coordinator, "aisne.csv")
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    rows = _rows(client.get(reverse("territory:import_upload")).content.decode())

    assert len(rows) == 1 and rows[0].startswith("aisne.csv")


def test_without_imports_the_page_says_so(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("territory:import_upload")).content.decode()

    assert "Aucun import pour l'instant." in html and "<table" not in html


def test_the_list_shows_the_last_imports_with_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    _import_job(coordinator, status=JobStatus.SUCCEEDED, result={"created": 1})
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("territory:import_upload"))
    for minutes in range(1, RECENT_IMPORTS + 5):
        _import_job(coordinator, f"f{minutes}.csv", minutes_ago=minutes)

    with django_assert_max_num_queries(len(few)):
        html = client.get(reverse("territory:import_upload")).content.decode()

    assert len(_rows(html)) == RECENT_IMPORTS
