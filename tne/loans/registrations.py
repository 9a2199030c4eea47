"""What loans add to the shell: nav entries and dashboard cards (registered by the pages)."""

# --- dashboards, home and family page ------------------------------------------------------------
from tne.core.registry import measure_counter, nav_entry

from .family_access import is_family_only
from .selectors.dashboards import equipped_pupils
from .selectors.families import is_parent
from .views.home import holds_a_loans_permission

nav_entry(
    "Prêts (M6)",
    "loans:index",
    order=38,
    permission_check=holds_a_loans_permission,
    active_for=("loans:*",),
)
nav_entry("Mon prêt", "loans:family", order=90, permission_check=is_parent)
# A parent sees « Mon prêt » only: core's « Tableau de bord » (``home``, which sends them to
# their page) is registered again without them; the same label, order and page as core's.
nav_entry(
    "Tableau de bord", "home", order=10, permission_check=lambda user: not is_family_only(user)
)
# The programme's M6 counter: pupils with an active or a closed loan (a device handed out), in
# the schools the reader follows, against the 15,000 pupils of the target.
measure_counter("M6", equipped_pupils)
