"""Who may do what with the shared objects of ``core``: plain functions, one per action."""

from typing import TYPE_CHECKING

from .scope import scope_of

if TYPE_CHECKING:
    from .models import Job


def can_view_every_job(user) -> bool:
    """The superusers, who run the platform, and national steering, whose scope is everything."""
    return user.is_superuser or scope_of(user).everything


def can_view_job(user, job: "Job") -> bool:
    """A job page shows the file and the result of an import: its creator reads it, and those who
    read every job. ``Job.objects.visible_to(user)`` is the same rule for lists."""
    if not user.is_authenticated or not user.is_active:
        return False
    return job.created_by_id == user.pk or can_view_every_job(user)
