from django.urls import path

from .views import runs, waiting  # runs, offers, waiting lists

app_name = "loans"

# One section per area; each area's views are in ``views/<area>.py``. Fixed URL names other areas
# link to: loans:index, loans:pupils (school), loans:pupil, loans:runs, loans:run,
# loans:decision, loans:waiting, loans:offer_next, loans:loan, loans:hand_out, loans:return,
# loans:overdue, loans:dashboard, loans:family.
urlpatterns = [
    # --- needs, pupils, contacts, rules (weights, quotas) -------------------------------------
    # --- runs, offers, waiting lists -----------------------------------------------------------
    path("attributions/", runs.run_list, name="runs"),
    path("attributions/nouvelle/", runs.run_new, name="run_new"),
    path("attributions/<int:run_id>/", runs.run_detail, name="run"),
    path("attributions/<int:run_id>/decisions/", runs.decision_list, name="run_decisions"),
    path("attributions/<int:run_id>/simulation/", runs.what_if, name="run_what_if"),
    path("attributions/<int:run_id>/appliquer/", runs.run_apply, name="run_apply"),
    path("decisions/<int:decision_id>/", runs.decision_detail, name="decision"),
    path("ecoles/<int:school_id>/liste-d-attente/", waiting.waiting_list, name="waiting"),
    path("proposer/", waiting.offer_next, name="offer_next"),
    path("propositions/", waiting.proposals, name="proposals"),
    # --- lifecycle: acceptance, hand-out, return, reminders, overdue --------------------------
    # --- dashboards, exports, family page -------------------------------------------------------
]
