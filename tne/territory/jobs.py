"""The territory's background work: importing an open-data file (started from the import page)."""

from tne.core.jobs import job_handler
from tne.core.models import AuditSource

from .importers import import_file


@job_handler("territory.import")
def run_import(job, progress) -> dict:
    """``params``: ``{"path": str, "kind": str | None}``. A bad file raises ImportFileError,
    whose message (the first errors with their line and column) becomes the job's message."""
    report = import_file(
        job.params["path"],
        job.params.get("kind") or None,
        progress=progress,
        actor=job.created_by,
        source=AuditSource.IMPORT,
        job=job,
    )
    return report.as_dict()
