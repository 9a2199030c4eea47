"""Loans' background work: computing an allocation run, and the « what if » of a run too large
to compute in the request."""

from decimal import Decimal, InvalidOperation

from tne.core.formats import euros, fr_number
from tne.core.jobs import UNEXPECTED_FAILURE, JobFailed, JobOrigin, job_handler

from .enums import RunStatus
from .models import AllocationRun
from .perms import can_allocate_at

RUN_JOB_KIND = "loans.allocation_run"
WHAT_IF_JOB_KIND = "loans.what_if"

RUN_ORIGIN = JobOrigin(
    url_name="loans:runs", title="Attributions des prêts", again="Voir les attributions"
)


def _run_of(job) -> AllocationRun:
    run = AllocationRun.objects.select_related("node").filter(pk=job.params.get("run")).first()
    if run is None:
        raise JobFailed("Cette attribution n'existe plus.")
    if job.created_by is None or not can_allocate_at(job.created_by, run.node):
        raise JobFailed(f"Vous ne lancez plus d'attribution sur le territoire {run.node}.")
    return run


@job_handler(
    RUN_JOB_KIND,
    origin=RUN_ORIGIN,
    result_labels={
        "candidates": "Candidats",
        "served": "Élèves servis",
        "total_priority": "Priorité servie",
    },
    result_formats={
        "candidates": fr_number,
        "served": fr_number,
        "total_priority": fr_number,
    },
    result_template="loans/runs/job_result.html",
)
def run_allocation(job, progress) -> dict:
    """``params``: ``{"run": id}``; the creator must still allocate on the run's node."""
    from .services.runs import execute_run, fail_run

    try:
        run = _run_of(job)
    except JobFailed as error:
        fail_run(run_id=job.params.get("run"), message=str(error))
        raise
    try:
        run = execute_run(run_id=run.pk, progress=progress)
    except Exception:
        fail_run(run_id=run.pk, message=UNEXPECTED_FAILURE)
        raise
    if run.status == RunStatus.FAILED:
        raise JobFailed(run.error)
    return {
        "run": run.pk,
        "candidates": run.candidates,
        "served": run.served,
        "total_priority": run.total_priority,
    }


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise JobFailed("Le budget de la simulation est illisible.") from error


@job_handler(
    WHAT_IF_JOB_KIND,
    origin=RUN_ORIGIN,
    result_template="loans/runs/what_if_result.html",
)
def run_what_if(job, progress) -> dict:
    """``params``: ``{"run": id, "stock": int | None, "budget": "123.45" | None}``. Writes
    nothing but the job's own result: the figures of the simulation."""
    from .selectors.runs import what_if

    run = _run_of(job)
    if run.status != RunStatus.DONE:
        raise JobFailed("Cette attribution n'est pas terminée.")
    progress.start(1, "Simulation en cours")
    outcome = what_if(run, stock=job.params.get("stock"), budget=_amount(job.params.get("budget")))
    progress.advance()
    progress.close()
    if outcome.error:
        raise JobFailed(outcome.error)
    return {
        "run": run.pk,
        "summary": outcome.summary(),
        "stock": outcome.stock,
        "budget": euros(outcome.budget) if outcome.budget is not None else None,
        "served": outcome.served,
        "run_served": outcome.run_served,
        "extra_priority": outcome.extra_priority,
        "schools_gaining": outcome.schools_gaining,
        "schools": [[s.uai, s.name, s.before, s.after] for s in outcome.schools],
    }
