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


def recent_imports(user) -> list[Job]:
    """The last import jobs ``user`` may read, newest first, with who started them."""
    jobs = Job.objects.visible_to(user).filter(kind=IMPORT_JOB_KIND).select_related("created_by")
    return list(jobs[:RECENT_IMPORTS])


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
