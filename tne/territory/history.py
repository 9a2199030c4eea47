"""Reading the audit trail by place: « what changed in my territory »."""

from django.db.models import QuerySet

from tne.core import audit
from tne.core.models import AuditEvent
from tne.core.scope import scope_of

from .models import School
from .perms import VIEW_HISTORY


def events_visible_to(user, permission=VIEW_HISTORY) -> QuerySet[AuditEvent]:
    """The events of the places where ``permission`` gives ``user`` authority: under the nodes
    of their grants (one prefix filter each on ``place_path``) or about the schools of their
    scope (a subquery: a circonscription, an owning authority, a school). The history is the
    agents' record of their work, so it follows ``territory.view_people`` by default. One
    query (after the grants, loaded once per request)."""
    scope = scope_of(user, permission)
    if scope.is_empty:
        return AuditEvent.objects.none()
    schools = None if scope.everything else School.objects.filter(scope.school_q()).values("pk")
    return audit.events_in(scope, schools=schools)
