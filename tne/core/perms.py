"""What ``core``'s shared objects let each role do: the permissions it declares, and the plain
functions that check them."""

from typing import TYPE_CHECKING

from .permissions import declare
from .roles import Role
from .scope import holds, scope_of

if TYPE_CHECKING:
    from .models import Job

# A job page shows an agent's name, a file and its error lines: people's work, not aggregates.
VIEW_JOBS = declare(
    "core.view_jobs",
    "Consulter les traitements lancés par les autres (imports…)",
    roles={Role.NATIONAL},
)


def can_view_every_job(user) -> bool:
    """The superusers, who run the platform, and the holders of ``core.view_jobs`` on the
    whole country (jobs are not tied to a place yet)."""
    return scope_of(user, VIEW_JOBS).everything


def can_view_job(user, job: "Job") -> bool:
    """A job page shows the file and the result of an import: its creator reads it, and those who
    read every job. ``Job.objects.visible_to(user)`` is the same rule for lists."""
    if not user.is_authenticated or not user.is_active:
        return False
    return job.created_by_id == user.pk or can_view_every_job(user)


# --- Notifications: « Messages envoyés » ------------------------------------------------------

# The page shows each message's text and a masked recipient, in the places the grant steers:
# steering, coordination, IEN/ERUN and school heads (who answer the families).
VIEW_MESSAGES = declare(
    "core.view_messages",
    "Consulter les messages envoyés (courriels, SMS) dans son périmètre",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.IEN_ERUN, Role.SCHOOL_HEAD},
)


def can_view_messages(user) -> bool:
    """Whether ``user`` reads « Messages envoyés » somewhere (which messages: ``Scope`` of
    ``scope_of(user, VIEW_MESSAGES)``, see :func:`tne.core.notify.messages_visible_to`)."""
    return holds(user, VIEW_MESSAGES)
