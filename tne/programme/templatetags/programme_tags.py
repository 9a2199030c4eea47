"""``{{ amount|euros }}``: « 9 000 000 € », « 1 234,50 € ». Small on purpose: core's generic
French number filters will take it over."""

from django import template

from ..formats import format_euros
from ..perms import can_view_programme
from ..selectors import measure_progress as progress_of

register = template.Library()


@register.filter
def euros(amount) -> str:
    if amount is None or amount == "":
        return ""
    return format_euros(amount)


@register.inclusion_tag("programme/includes/measure_progress.html")
def measure_progress(user) -> dict:
    """The measures with the targets of ``user``'s territory, for the dashboard (which lives in
    ``territory`` and so does not import the programme: it loads this tag). Nothing for a user
    who may not read the programme (two queries otherwise)."""
    if not can_view_programme(user):
        return {"progress": []}
    return {"progress": progress_of(user)}
