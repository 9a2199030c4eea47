from django.urls import path

from .views import needs, rules

app_name = "loans"

# One section per area; each area's views are in ``views/<area>.py``. Fixed URL names other areas
# link to: loans:index, loans:pupils (school), loans:pupil, loans:runs, loans:run,
# loans:decision, loans:waiting, loans:offer_next, loans:loan, loans:hand_out, loans:return,
# loans:overdue, loans:dashboard, loans:family.
urlpatterns = [
    # --- needs, pupils, contacts, rules (weights, quotas) -------------------------------------
    path("ecoles/<int:school_id>/eleves/", needs.pupils, name="pupils"),
    path("ecoles/<int:school_id>/eleves/ajouter/", needs.pupil_create, name="pupil_create"),
    path("ecoles/<int:school_id>/besoins/importer/", needs.needs_import, name="needs_import"),
    path("besoins/modele.csv", needs.needs_template, name="needs_template"),
    path("classes/<int:class_id>/besoins/", needs.class_needs, name="class_needs"),
    path("eleves/<int:pupil_id>/", needs.pupil, name="pupil"),
    path("eleves/<int:pupil_id>/modifier/", needs.pupil_edit, name="pupil_edit"),
    path("eleves/<int:pupil_id>/coordonnees/", needs.pupil_contact, name="pupil_contact"),
    path(
        "eleves/<int:pupil_id>/coordonnees/saisir/",
        needs.pupil_contact_edit,
        name="pupil_contact_edit",
    ),
    path("regles/", rules.rules_home, name="rules"),
    path("regles/<int:node_id>/poids/", rules.weights, name="weights"),
    path("regles/<int:node_id>/quotas/", rules.quotas, name="quotas"),
    path("regles/quotas/modele.csv", rules.quotas_template, name="quotas_template"),
    path("regles/ecoles/<int:school_id>/quota/", rules.quota, name="quota"),
    # --- runs, offers, waiting lists -----------------------------------------------------------
    # --- lifecycle: acceptance, hand-out, return, reminders, overdue --------------------------
    # --- dashboards, exports, family page -------------------------------------------------------
]
