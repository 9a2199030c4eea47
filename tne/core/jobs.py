"""Long work as jobs: a domain registers a handler under a kind; :func:`start_job` records a
:class:`Job` and enqueues it on the task backend (django-tasks, database backend); the worker
calls the handler with the job and a :class:`JobProgress`. The job page shows the progress, then
the result as the kind registered it (:class:`JobResultDisplay`): core names no domain's keys."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from .models import Job, JobStatus
from .progress import JobProgress

logger = logging.getLogger(__name__)

Handler = Callable[[Job, JobProgress], dict]
_HANDLERS: dict[str, Handler] = {}

# What the job page says of a failure that is not a :class:`JobFailed`: the detail is in the log.
UNEXPECTED_FAILURE = (
    "Le traitement s'est arrêté sur une erreur inattendue. Rien n'a été enregistré ; l'équipe "
    "technique en a le détail. Réessayez plus tard ou signalez-le en donnant le numéro du "
    "traitement."
)
STALE_FAILURE = (
    "Le traitement ne s'est pas terminé : il a été interrompu (arrêt du serveur ou du "
    "travailleur des traitements). Rien n'a été enregistré ; relancez-le."
)


class JobFailed(Exception):
    """An expected failure of a job (a refused file, a right withdrawn since): its message, in
    French, is for the person who started it and is shown on the job page."""


@dataclass(frozen=True)
class JobOrigin:
    """The page that starts a kind of job (an URL name): the job page links back to it."""

    url_name: str
    title: str
    again: str
    # The list of these jobs on that page: its anchor and the link's text.
    list_anchor: str = ""
    list_label: str = ""


_ORIGINS: dict[str, JobOrigin] = {}


@dataclass(frozen=True)
class JobResultDisplay:
    """How the job page shows the result (a dict) of a kind of job: the French label of each
    key (a key without one shows as is), how a value reads (``str`` by default), or a template
    of its own, rendered with ``job`` and ``result`` (the labelled pairs)."""

    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    formats: Mapping[str, Callable[[Any], str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    template: str = ""

    def rows(self, result: dict) -> list[tuple[str, str]]:
        return [
            (self.labels.get(key, key), self.formats.get(key, str)(value))
            for key, value in result.items()
        ]


_RESULTS: dict[str, JobResultDisplay] = {}


def job_handler(
    kind: str,
    *,
    origin: JobOrigin | None = None,
    result_labels: Mapping[str, str] | None = None,
    result_formats: Mapping[str, Callable[[Any], str]] | None = None,
    result_template: str = "",
):
    """Registers the handler of a kind of job, the page its jobs come from, if any, and how its
    result reads: ``result_labels`` (key → French label), ``result_formats`` (key → function
    writing the value), or ``result_template``."""

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        if origin is not None:
            _ORIGINS[kind] = origin
        _RESULTS[kind] = JobResultDisplay(
            labels=MappingProxyType(dict(result_labels or {})),
            formats=MappingProxyType(dict(result_formats or {})),
            template=result_template,
        )
        return func

    return register


def origin_of(kind: str) -> JobOrigin | None:
    return _ORIGINS.get(kind)


def result_display_of(kind: str) -> JobResultDisplay:
    return _RESULTS.get(kind) or JobResultDisplay()


def start_job(*, kind: str, label: str, params: dict, user=None) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"Aucun traitement de type {kind!r}.")
    job = Job.objects.create(kind=kind, label=label, params=params, created_by=user)
    from .tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def run_job_now(job_id: int) -> Job:
    """Run a pending job once: a job already claimed (running or finished) is left alone, so a
    task delivered twice does not run the work twice."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        logger.warning("Job %s is %s: not run again", job.pk, job.status)
        return job
    try:
        result = _HANDLERS[job.kind](job, JobProgress(job))
    except JobFailed as exc:
        logger.info("Job %s (%s) refused: %s", job.pk, job.kind, exc)
        _fail(job.pk, str(exc))
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job.pk, UNEXPECTED_FAILURE)
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, result=result or {}, message="", finished_at=now()
        )
    job.refresh_from_db()
    return job


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, message=message, finished_at=now()
    )


def fail_stale_jobs() -> int:
    """Mark failed the jobs left running longer than ``TNE_JOB_TIMEOUT_MINUTES`` (a worker that
    crashed or was stopped never finishes them); how many. Run by the job pages and by the
    worker as it starts."""
    limit = now() - timedelta(minutes=settings.TNE_JOB_TIMEOUT_MINUTES)
    stale = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=limit)
    count = stale.update(status=JobStatus.FAILED, message=STALE_FAILURE, finished_at=now())
    if count:
        logger.warning("%s stale job(s) marked failed", count)
    return count
