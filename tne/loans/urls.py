from django.urls import path

from .views import counter, dashboards, exports, family, home, loans, needs, rules, runs, waiting

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
    path("<int:loan_id>/", loans.loan_detail, name="loan"),
    path("<int:loan_id>/convention.pdf", loans.agreement, name="agreement"),
    path("<int:loan_id>/recu-de-retour.pdf", loans.return_receipt, name="return_receipt"),
    path("<int:loan_id>/accord/", loans.loan_accept, name="loan_accept"),
    path("<int:loan_id>/liberer/", loans.loan_release, name="loan_release"),
    path("<int:loan_id>/decliner/", loans.loan_decline, name="loan_decline"),
    path("<int:loan_id>/report/", loans.loan_extend, name="loan_extend"),
    path("<int:loan_id>/perte/", loans.loan_loss, name="loan_loss"),
    path("guichet/", counter.counter, name="counter"),
    path("ecoles/<int:school_id>/remise/", counter.hand_out, name="hand_out"),
    path(
        "ecoles/<int:school_id>/remise/projet-de-convention.pdf",
        counter.agreement_draft,
        name="agreement_draft",
    ),
    path("ecoles/<int:school_id>/retour/", counter.take_back, name="return"),
    path("retards/", loans.overdue, name="overdue"),
    path("retards/export.csv", loans.overdue_export, name="overdue_export"),
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
