"""Reading the messages: those of the places where a user's grants carrying
``core.view_messages`` have authority, filtered, a page at a time (keyset on the id, no COUNT)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Message
from ..perms import VIEW_MESSAGES
from ..registry import scope_schools
from ..scope import scope_of


def messages_visible_to(user, permission=VIEW_MESSAGES) -> QuerySet[Message]:
    """The messages of the places where ``permission`` gives ``user`` authority: under the
    nodes of their grants (one indexed prefix filter each on ``place_path``) or about the
    schools of their scope (a subquery the territory provides: a circonscription, an owning
    authority, a school). National messages (no place) only for a grant on the country. One
    query, like the history of a territory."""
    scope = scope_of(user, permission)
    if scope.is_empty:
        return Message.objects.none()
    return Message.objects.in_places(
        everything=scope.everything, paths=scope.authority_paths, schools=scope_schools(scope)
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_messages(rows: QuerySet[Message], filters: dict) -> QuerySet[Message]:
    """``filters``: ``channel``, ``status``, ``kind``, ``since`` and ``until`` (days, in the
    local time of Paris, both included); a missing or empty one does not filter."""
    for name in ("channel", "status", "kind"):
        if filters.get(name):
            rows = rows.filter(**{name: filters[name]})
    if filters.get("since"):
        rows = rows.filter(created_at__gte=_start_of(filters["since"]))
    if filters.get("until"):
        rows = rows.filter(created_at__lt=_start_of(filters["until"] + timedelta(days=1)))
    return rows


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    # The ids at the edges of the page, when there is a page that way.
    newer_than: int | None
    older_than: int | None


def page_of(rows: QuerySet[Message], *, after: int | None, before: int | None, size: int):
    """One page of ``rows``, newest first: the ``size`` messages older than ``after`` (the last
    id of the page shown, « page suivante »), or newer than ``before`` (« page précédente »), or
    the newest ones. One query."""
    if before:
        found = list(rows.filter(pk__gt=before).order_by("pk")[: size + 1])
        more_newer = len(found) > size
        messages = found[:size][::-1]
        return MessagePage(
            messages=messages,
            newer_than=messages[0].pk if messages and more_newer else None,
            older_than=messages[-1].pk if messages else None,
        )
    if after:
        rows = rows.filter(pk__lt=after)
    found = list(rows.order_by("-pk")[: size + 1])
    messages = found[:size]
    return MessagePage(
        messages=messages,
        newer_than=messages[0].pk if messages and after else None,
        older_than=messages[-1].pk if len(found) > size else None,
    )
