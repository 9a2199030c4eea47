import pytest

from tne.core.jobs import JobFailed, job_handler, run_job_now, start_job
from tne.core.models import Job, JobStatus


@job_handler("tests.runner.count")
def _count(job, progress):
    progress.start(job.params["n"], "Comptage")
    for _ in range(job.params["n"]):
        progress.advance()
    progress.close()
    return {"counted": job.params["n"]}


@job_handler("tests.runner.fail")
def _fail(job, progress):
    raise JobFailed("fichier illisible, ligne 3")


@pytest.mark.django_db(transaction=True)
def test_a_started_job_runs_its_handler_and_records_progress_and_result():
    job = start_job(kind="tests.runner.count", label="Compter", params={"n": 7})

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    assert job.result == {"counted": 7}
    assert job.started_at and job.finished_at


@pytest.mark.django_db(transaction=True)
def test_a_refused_job_keeps_its_message_for_the_person_who_started_it():
    job = start_job(kind="tests.runner.fail", label="Échouer", params={})

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "fichier illisible, ligne 3"


@pytest.mark.django_db
def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Aucun traitement"):
        start_job(kind="tests.nope", label="?", params={})
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_finished_job_is_not_run_again():
    job = start_job(kind="tests.runner.count", label="Compter", params={"n": 2})
    job.refresh_from_db()
    finished_at = job.finished_at

    again = run_job_now(job.pk)

    assert again.status == JobStatus.SUCCEEDED
    assert again.finished_at == finished_at
