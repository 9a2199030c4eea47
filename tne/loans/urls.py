from django.urls import path  # each area adds its routes below

from .views import dashboards, exports, family, home  # dashboards, exports, family page

app_name = "loans"

# One section per area; each area's views are in ``views/<area>.py``. Fixed URL names other areas
# link to: loans:index, loans:pupils (school), loans:pupil, loans:runs, loans:run,
# loans:decision, loans:waiting, loans:offer_next, loans:loan, loans:hand_out, loans:return,
# loans:overdue, loans:dashboard, loans:family.
urlpatterns = [
    # --- needs, pupils, contacts, rules (weights, quotas) -------------------------------------
    # --- runs, offers, waiting lists -----------------------------------------------------------
    # --- lifecycle: acceptance, hand-out, return, reminders, overdue --------------------------
    # --- dashboards, exports, family page -------------------------------------------------------
    path("", home.index, name="index"),
    path("tableau-de-bord/", dashboards.dashboard, name="dashboard"),
    path("tableau-de-bord/export.<str:fmt>", exports.dashboard_export, name="dashboard_export"),
    path("exports/declarations.<str:fmt>", exports.declarations_export, name="declarations_export"),
    path("exports/prets.<str:fmt>", exports.loans_export, name="loans_export"),
    path("exports/attributions/<int:run_id>.<str:fmt>", exports.run_export, name="run_export"),
    path("famille/", family.family, name="family"),
    path("famille/prets/<int:loan_id>/convention/", family.agreement, name="family_agreement"),
    path("eleves/<int:pupil_id>/familles/", family.links, name="family_links"),
    path("familles/<int:link_id>/retirer/", family.unlink, name="family_unlink"),
]
