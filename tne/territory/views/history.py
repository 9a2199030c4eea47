"""« Historique du territoire »: the last changes made in the places where the user's grants
carry ``territory.view_history`` (steering, coordination, IEN, school heads): schools, classes,
staff, grants. Each event reads in French: field labels, the current name of what still exists
(a person's too, never stored in the trail), a marker for a personal field."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from tne.core.audit import readable_changes, with_current_labels
from tne.core.pages import breadcrumb, paginate

from ..history import events_visible_to
from ..perms import can_view_history

TITLE = "Historique du territoire"


def territory_history(request):
    if not can_view_history(request.user):
        raise PermissionDenied
    page = paginate(request, events_visible_to(request.user))
    events = list(page.object_list)
    with_current_labels(events)
    by_model = defaultdict(list)
    for event in events:
        model = event.content_type.model_class()
        event.kind = str(model._meta.verbose_name) if model else ""
        event.author = event.actor or "Système"
        by_model[model].append(event)
    for model, model_events in by_model.items():
        if model is not None:
            readable_changes(model, model_events)
    return render(
        request,
        "territory/history.html",
        {
            "title": TITLE,
            "page_obj": page,
            "events": events,
            "breadcrumb_data": breadcrumb(TITLE),
        },
    )
