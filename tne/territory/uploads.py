"""The reference files uploaded for import: saved under ``MEDIA_ROOT/imports`` (the record of what
was imported, next to the audit trail) and purged after ``TNE_IMPORT_FILES_KEEP_DAYS`` days by
``tne purge_imports``, except the files of jobs still waiting or running."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.text import get_valid_filename

from tne.core.models import Job, JobStatus

IMPORT_JOB_KIND = "territory.import"
# How many imports the import page lists.
RECENT_IMPORTS = 20


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def save_upload(upload) -> Path:
    storage = FileSystemStorage(location=imports_dir())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = storage.save(f"{stamp}-{get_valid_filename(Path(upload.name).name)}", upload)
    return Path(storage.path(name))


# ``Job.params["source"]`` of the imports recorded without a job (command line, demo).
COMMAND_LINE = "cli"


def record_command_line_import(report, *, name: str, actor=None) -> Job:
    """Record an import run without a job (``tne import``, ``tne demo``) as a finished job, so the
    import page lists it like the imports of the page (one row per file; no file is kept)."""
    now = timezone.now()
    return Job.objects.create(
        kind=IMPORT_JOB_KIND,
        label=f"Import de {name} ({report.label})",
        params={"name": name, "kind": report.kind, "source": COMMAND_LINE},
        status=JobStatus.SUCCEEDED,
        total=report.rows,
        done=report.rows,
        result=report.as_dict(),
        created_by=actor,
        started_at=now,
        finished_at=now,
    )


def recent_imports(user) -> list[Job]:
    """The last import jobs ``user`` may read, and the imports of the command line (public open
    data, no person's file), newest first, with who started them (one query)."""
    jobs = (
        Job.objects.visible_to(user)
        | Job.objects.filter(created_by__isnull=True, params__source=COMMAND_LINE)
    ).filter(kind=IMPORT_JOB_KIND)
    return list(jobs.select_related("created_by")[:RECENT_IMPORTS])


def purge_old_uploads(*, keep_days: int, dry_run: bool = False) -> list[Path]:
    """Deletes the uploaded files older than ``keep_days`` days (by modification time) that no
    unfinished import job still needs; returns them, sorted (only lists them with ``dry_run``)."""
    directory = imports_dir()
    if not directory.is_dir():
        return []
    limit = (timezone.now() - timedelta(days=keep_days)).timestamp()
    in_use = {
        Path(params.get("path", ""))
        for params in Job.objects.filter(
            kind=IMPORT_JOB_KIND, status__in=(JobStatus.PENDING, JobStatus.RUNNING)
        ).values_list("params", flat=True)
    }
    old = sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and path.stat().st_mtime < limit and path not in in_use
    )
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return old
