"""Who may do what with the shared objects of ``core``: plain functions, one per action."""

from .models import Job


def can_view_job(user, job: Job) -> bool:
    """A job page shows the file and the result of an import: only its creator reads it (and the
    superusers, who run the platform)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or job.created_by_id == user.pk
