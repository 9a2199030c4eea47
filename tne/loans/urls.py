from django.urls import path  # noqa: F401  (each area adds its routes below)

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
]
