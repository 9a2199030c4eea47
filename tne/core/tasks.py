from django_tasks import task

from .jobs import run_job_now


@task()
def run_job(job_id: int) -> None:
    run_job_now(job_id)
