from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import Role, UserFactory, territory_tree, user_with_role
from tne.core.jobs import JobFailed, fail_stale_jobs, job_handler, start_job
from tne.core.models import Job, JobStatus
from tne.core.perms import can_view_job
from tne.core.progress import JobProgress


@job_handler("tests.count", result_labels={"rows": "Lignes lues", "created": "Créés"})
def _count_handler(job, progress):
    progress.start(total=job.params["n"], message="Comptage")
    for _ in range(job.params["n"]):
        progress.advance()
    progress.close()
    return {"rows": job.params["n"], "created": 2}


@job_handler("tests.watched")
def _watched_handler(job, progress):
    """Writes inside one transaction, like an import, and looks at its own page half-way."""
    client = Client()
    client.force_login(job.created_by)
    page = reverse("core:job_detail", args=[job.pk])
    progress.every = 0  # publish every step (0.5 s apart otherwise)
    with transaction.atomic():
        progress.start(total=40, message="Enregistrement")
        progress.advance(10)
        seen = client.get(page, headers={"HX-Request": "true"}).content.decode()
        row = Job.objects.values_list("done", flat=True).get(pk=job.pk)
    progress.close()
    return {"seen": seen, "row_done_while_running": row}


@job_handler("tests.fail")
def _failing_handler(job, progress):
    raise JobFailed("Fichier illisible : ligne 3, colonne « uai ».")


@job_handler("tests.crash")
def _crashing_handler(job, progress):
    raise KeyError("params['secret_path']=/srv/tne/var/imports/x.csv")


def _job(user, **extra):
    return Job.objects.create(
        kind="tests.count", label="Import de essai.csv", created_by=user, **extra
    )


@pytest.mark.django_db
def test_it_shows_the_result_of_a_finished_job_to_its_creator(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            kind="tests.count", label="Import de essai.csv", params={"n": 5}, user=owner
        )
    client.force_login(owner)

    response = client.get(reverse("core:job_detail", args=[job.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Import de essai.csv</h1>" in html
    assert 'value="100"' in html and "100 %" in html
    assert "Terminé" in html
    assert "Lignes lues" in html and "<dd>5</dd>" in html
    assert "5 sur 5 lignes" in html
    assert 'hx-trigger="every 1s"' not in html


@pytest.mark.django_db
def test_a_running_job_polls_its_progress_fragment(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.RUNNING, total=200, done=50)
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert f'hx-get="{reverse("core:job_detail", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress id="job-progress-bar" max="100" value="25">' in html
    assert "25 %" in html and "50 sur 200 lignes" in html


@pytest.mark.django_db
def test_htmx_gets_only_the_progress_fragment(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.RUNNING, total=10, done=3)
    client.force_login(owner)

    response = client.get(reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="job-progress"')
    assert "<h1>" not in html and "<html" not in html
    assert "30 %" in html


@pytest.mark.django_db
def test_the_fragment_stops_polling_once_the_job_is_finished(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.SUCCEEDED, total=10, done=10, result={"created": 10})
    client.force_login(owner)

    html = client.get(
        reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "hx-trigger" not in html
    assert "Créés" in html and "<dd>10</dd>" in html


@pytest.mark.django_db
def test_a_failed_job_shows_its_error(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind="tests.fail", label="Import raté", params={}, user=owner)
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert "Échec" in html
    assert "Le traitement a échoué" in html
    assert "Fichier illisible : ligne 3, colonne « uai »." in html


@pytest.mark.django_db
def test_an_unexpected_failure_shows_a_french_sentence_and_logs_the_detail(
    client, django_capture_on_commit_callbacks, caplog
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind="tests.crash", label="Import planté", params={}, user=owner)
    client.force_login(owner)

    html = unescape(client.get(reverse("core:job_detail", args=[job.pk])).content.decode())

    assert "Le traitement s'est arrêté sur une erreur inattendue." in html
    assert "secret_path" not in html and "KeyError" not in html
    assert "secret_path" in caplog.text and f"Job {job.pk}" in caplog.text


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_marked_failed(client, settings):
    owner = UserFactory()
    started = timezone.now() - timedelta(minutes=settings.TNE_JOB_TIMEOUT_MINUTES + 1)
    stale = _job(owner, status=JobStatus.RUNNING, started_at=started)
    recent = _job(owner, status=JobStatus.RUNNING, started_at=timezone.now())
    client.force_login(owner)

    html = unescape(client.get(reverse("core:job_detail", args=[stale.pk])).content.decode())

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == JobStatus.FAILED and stale.finished_at is not None
    assert "Le traitement ne s'est pas terminé" in html
    assert recent.status == JobStatus.RUNNING
    assert fail_stale_jobs() == 0


@pytest.mark.django_db
def test_the_error_message_is_escaped(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.FAILED, message="<script>alert(1)</script>")
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_another_user_gets_404_on_a_job_page(client):
    job = _job(UserFactory())
    client.force_login(UserFactory())

    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert (
        client.get(
            reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_superuser_may_read_any_job_page(client):
    job = _job(UserFactory())
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    job = _job(UserFactory())

    response = client.get(reverse("core:job_detail", args=[job.pk]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_the_page_shows_live_progress_of_work_running_inside_a_transaction(
    django_capture_on_commit_callbacks,
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind="tests.watched", label="Import long", params={}, user=owner)

    job.refresh_from_db()
    # The row is only written at the end: what the page showed came from the live progress.
    assert job.result["row_done_while_running"] == 0
    assert "25 %" in job.result["seen"] and "10 sur 40 lignes" in job.result["seen"]
    assert "Enregistrement" in job.result["seen"]
    assert (job.status, job.total, job.done) == (JobStatus.SUCCEEDED, 40, 10)


@pytest.mark.django_db
def test_a_finished_job_shows_its_row_not_a_stale_live_figure(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.RUNNING)
    progress = JobProgress(job)
    progress.start(total=10, message="Lecture")
    progress.advance(4)
    progress.close()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="Coupure")
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert "4 sur 10 lignes" in html and "Coupure" in html
    assert 'hx-trigger="every 1s"' not in html


@pytest.mark.django_db
def test_an_import_job_page_leads_to_another_import_and_the_last_imports(client):
    owner = UserFactory()
    job = Job.objects.create(
        kind="territory.import",
        label="Import de lycees.csv (Lycées et IPS)",
        created_by=owner,
        status=JobStatus.SUCCEEDED,
        result={
            "kind": "Lycées et IPS",
            "out_of_scope": 48,
            "out_of_scope_first": "0950014Z (ligne 2)",
        },
    )
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    imports = reverse("territory:import_upload")
    assert f'<a class="fr-btn" href="{imports}">Importer un autre fichier</a>' in html
    assert f'href="{imports}#derniers-imports">Voir les derniers imports</a>' in html
    assert (
        f'<a class="fr-breadcrumb__link" href="{imports}">Importer un fichier de référence</a>'
        in html
    )
    assert "<dt>Type de fichier</dt><dd>Lycées et IPS</dd>" in html
    assert "<dt>Hors de votre périmètre (non importées)</dt><dd>48\xa0lignes</dd>" in html
    assert "<dt>Premières lignes hors de votre périmètre</dt><dd>0950014Z (ligne 2)</dd>" in html


@pytest.mark.django_db
def test_another_kind_of_job_has_no_import_links(client):
    owner = UserFactory()
    job = _job(owner, status=JobStatus.SUCCEEDED)
    client.force_login(owner)

    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()

    assert "Importer un autre fichier" not in html
    assert reverse("territory:import_upload") not in html.split("</nav>", 2)[-1]


@pytest.mark.django_db
def test_national_steering_may_read_any_job_page(client):
    job = _job(UserFactory())
    client.force_login(user_with_role(Role.NATIONAL, territory_tree().country))

    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_the_jobs_visible_to_a_user_follow_the_job_page_rule():
    tree = territory_tree()
    owner, other = UserFactory(), UserFactory()
    own, others = _job(owner), _job(other)
    users = {
        "owner": owner,
        "coordinator": user_with_role(Role.COORDINATOR, tree.aisne),
        "national": user_with_role(Role.NATIONAL, tree.country),
        "superuser": UserFactory(is_superuser=True),
        "inactive owner": UserFactory(is_active=False),
        "anonymous": AnonymousUser(),
    }
    _job(users["inactive owner"])

    visible = {name: set(Job.objects.visible_to(user)) for name, user in users.items()}

    everything = set(Job.objects.all())
    assert visible == {
        "owner": {own},
        "coordinator": set(),
        "national": everything,
        "superuser": everything,
        "inactive owner": set(),
        "anonymous": set(),
    }
    for name, user in users.items():
        assert {job for job in everything if can_view_job(user, job)} == visible[name], name
    assert others not in visible["owner"]
