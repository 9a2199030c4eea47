"""What the territory adds to the shell of the site: its navigation entries and its dashboard
card (imported by ``TerritoryConfig.ready()``)."""

from tne.core.registry import dashboard_card, nav_entry, scope_schools_provider

from .perms import can_browse_territory, can_import_reference_data, can_view_history
from .views.dashboard import browse_card, dashboard

nav_entry(
    "Territoire",
    "territory:index",
    order=20,
    permission_check=can_browse_territory,
    active_for=("territory:index", "territory:departement", "territory:departement_map"),
)
nav_entry(
    "Établissements",
    "territory:school_list",
    order=30,
    permission_check=can_browse_territory,
    active_for=("territory:school_list", "territory:school_detail"),
)
nav_entry(
    "Imports",
    "territory:import_upload",
    order=40,
    permission_check=can_import_reference_data,
)
nav_entry("Historique", "territory:history", order=45, permission_check=can_view_history)
dashboard_card("territory/dashboard.html", context=dashboard, order=10)
dashboard_card("territory/dashboard_browse.html", context=browse_card, order=90)


# --- Notifications: the schools of a scope, for core's « Messages envoyés » -----------------
def _schools_of(scope):
    from .models import School

    return School.objects.filter(scope.school_q()).values("pk")


scope_schools_provider(_schools_of)
