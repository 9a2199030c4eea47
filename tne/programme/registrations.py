"""What the programme adds to the shell of the site: its navigation entry and its dashboard card
(the measures with the targets of the user's territory), imported by ``ProgrammeConfig.ready()``."""

from tne.core.registry import dashboard_card, nav_entry

from .perms import can_view_programme
from .selectors import measure_progress


def progress_card(request) -> dict | None:
    """Nothing for a user who may not read the programme (two queries otherwise)."""
    if not can_view_programme(request.user):
        return None
    return {"progress": measure_progress(request.user)}


nav_entry(
    "Programme",
    "programme:index",
    order=35,
    permission_check=can_view_programme,
    active_for=("programme:*",),
)
dashboard_card("programme/includes/measure_progress.html", context=progress_card, order=20)
