"""« Messages envoyés »: the e-mails and SMS sent in the places where the user's grants carry
``core.view_messages``, newest first, a page at a time (keyset, no COUNT), masked recipients
only; for htmx (the filters) only the results fragment."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms_messages import MessageFilterForm
from .models import Message
from .notify.backends import label_of
from .notify.kinds import kind_label
from .notify.selectors import filter_messages, messages_visible_to, page_of
from .pages import breadcrumb
from .perms import can_view_messages

TITLE = "Messages envoyés"
STATUS_BADGES = {
    "SENT": "fr-badge--success",
    "FAILED": "fr-badge--error",
    "QUEUED": "fr-badge--new",
}
_MAX_ID = 2**63 - 1


def _cursor(value: str | None) -> int | None:
    """A page edge from the address (``?apres=`` / ``?avant=``): a positive id, else none (the
    first page)."""
    if value and value.isdigit() and 0 < int(value) <= _MAX_ID:
        return int(value)
    return None


def _query(data, **edge) -> str:
    kept = data.copy()
    for name in ("apres", "avant"):
        kept.pop(name, None)
    for name, value in edge.items():
        kept[name] = str(value)
    text = kept.urlencode()
    return f"?{text}" if text else "?"


@require_GET
def message_list(request):
    if not can_view_messages(request.user):
        raise PermissionDenied
    form = MessageFilterForm(request.GET)
    if form.is_valid():
        rows = filter_messages(messages_visible_to(request.user), form.filters())
    else:
        rows = Message.objects.none()
    page = page_of(
        rows.select_related("actor"),
        after=_cursor(request.GET.get("apres")),
        before=_cursor(request.GET.get("avant")),
        size=settings.TNE_PAGE_SIZE,
    )
    for message in page.messages:
        message.kind_label = kind_label(message.kind)
        message.backend_label = label_of(message.backend)
        message.badge = STATUS_BADGES.get(message.status, "")
    filtered = any(request.GET.get(name) for name in form.fields)
    context = {
        "title": TITLE,
        "form": form,
        "messages_page": page.messages,
        "filtered": filtered,
        "newer_query": _query(request.GET, avant=page.newer_than) if page.newer_than else "",
        "older_query": _query(request.GET, apres=page.older_than) if page.older_than else "",
        "first_query": _query(request.GET) if page.newer_than else "",
        "breadcrumb_data": breadcrumb(TITLE),
    }
    template = "core/messages.html#results" if request.htmx else "core/messages.html"
    return render(request, template, context)
