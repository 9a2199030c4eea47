from django.urls import path

from .views import (
    assets,
    audits,
    campaigns,
    catalogue,
    home,
    imports,
    orders,
    progress,
    school_page,
    signoffs,
    teachers,
)

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/export/<str:fmt>/", catalogue.catalogue_export, name="catalogue_export"),
    path("catalogue/modeles/nouveau/", catalogue.model_create, name="model_create"),
    path("catalogue/modeles/<int:model_id>/", catalogue.model_update, name="model_update"),
    path(
        "catalogue/categories/<int:category_id>/reference/",
        catalogue.category_reference,
        name="category_reference",
    ),
    path("kits/", catalogue.kit_list, name="kit_list"),
    path("kits/export/<str:fmt>/", catalogue.kit_export, name="kit_export"),
    path("kits/<int:kit_id>/", catalogue.kit_detail, name="kit_detail"),
    path("kits/<int:kit_id>/elements/", catalogue.kit_item_set, name="kit_item_set"),
    path(
        "kits/<int:kit_id>/elements/<int:item_id>/retirer/",
        catalogue.kit_item_delete,
        name="kit_item_delete",
    ),
    # --- orders, invoices, ledger ---------------------------------------------------------------
    path("commandes/", orders.order_list, name="order_list"),
    path("commandes/export/<str:fmt>/", orders.order_export, name="order_export"),
    path("commandes/nouvelle/", orders.order_create, name="order_create"),
    path("commandes/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("commandes/<int:order_id>/lignes/", orders.order_line_add, name="order_line_add"),
    path(
        "commandes/<int:order_id>/lignes/<int:line_id>/retirer/",
        orders.order_line_delete,
        name="order_line_delete",
    ),
    path("commandes/<int:order_id>/engager/", orders.order_commit, name="order_commit"),
    path("commandes/<int:order_id>/annuler/", orders.order_cancel, name="order_cancel"),
    path("commandes/<int:order_id>/factures/", orders.invoice_create, name="invoice_create"),
    path("campagnes/<int:campaign_id>/commander/", orders.campaign_order, name="campaign_order"),
    path("budget/", orders.ledger, name="ledger"),
    path("budget/export/<str:fmt>/", orders.ledger_export, name="ledger_export"),
    # --- asset register, incidents, labels, scan --------------------------------------------
    path("materiels/", assets.asset_list, name="asset_list"),
    path("materiels/export.<str:fmt>", assets.asset_export, name="asset_export"),
    path("materiels/nouveau/", assets.asset_create, name="asset_create"),
    path("materiels/lot/", assets.asset_bulk, name="asset_bulk"),
    path("materiels/scan/", assets.scan, name="scan"),
    path("materiels/etiquettes/", assets.labels, name="labels"),
    path(
        "materiels/etiquettes/<int:document_id>/",
        assets.labels_download,
        name="labels_download",
    ),
    path("materiels/incidents/", assets.incident_list, name="incident_list"),
    path("materiels/incidents/export.<str:fmt>", assets.incident_export, name="incident_export"),
    path(
        "materiels/incidents/<int:incident_id>/",
        assets.incident_detail,
        name="incident_detail",
    ),
    path(
        "materiels/incidents/<int:incident_id>/reparation/",
        assets.incident_repair,
        name="incident_repair",
    ),
    path(
        "materiels/incidents/<int:incident_id>/remplacement/",
        assets.incident_swap,
        name="incident_swap",
    ),
    path(
        "materiels/incidents/<int:incident_id>/cloture/",
        assets.incident_close,
        name="incident_close",
    ),
    path("materiels/<int:asset_id>/", assets.asset_detail, name="asset_detail"),
    path("materiels/<int:asset_id>/etat/", assets.asset_state, name="asset_state"),
    path("materiels/<int:asset_id>/deplacer/", assets.asset_move, name="asset_move"),
    path("materiels/<int:asset_id>/repare/", assets.asset_repaired, name="asset_repaired"),
    path("materiels/<int:asset_id>/incident/", assets.incident_create, name="incident_create"),
    # --- delivery and inventory imports -------------------------------------------------------
    path("livraisons/import/", imports.delivery_import, name="delivery_import"),
    path("inventaire/import/", imports.inventory_import, name="inventory_import"),
    # --- socle audit, plan ------------------------------------------------------------------------
    path("audits/", audits.audit_list, name="audit_list"),
    path("audits/export/<str:fmt>/", audits.audit_export, name="audit_export"),
    path("audits/<int:school_id>/", audits.audit_school, name="audit_school"),
    path("audits/plan/", audits.audit_plan, name="audit_plan"),
    path("audits/plan/export/<str:fmt>/", audits.audit_plan_export, name="audit_plan_export"),
    path("audits/plan/campagne/", audits.audit_plan_campaign, name="audit_plan_campaign"),
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
    path("campagnes/", campaigns.campaign_list, name="campaign_list"),
    path("campagnes/nouvelle/", campaigns.campaign_create, name="campaign_create"),
    path("campagnes/<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path(
        "campagnes/<int:campaign_id>/affecter/",
        campaigns.campaign_allocate,
        name="campaign_allocate",
    ),
    path(
        "campagnes/<int:campaign_id>/etape/<str:action>/",
        campaigns.campaign_step,
        name="campaign_step",
    ),
    path("campagnes/<int:campaign_id>/annuler/", campaigns.campaign_cancel, name="campaign_cancel"),
    path(
        "campagnes/<int:campaign_id>/export.<str:fmt>",
        campaigns.campaign_export,
        name="campaign_export",
    ),
    path("affectations/", campaigns.allocation_list, name="allocation_list"),
    path("affectations/export.<str:fmt>", campaigns.allocation_export, name="allocation_export"),
    path("avancement/", progress.progress, name="progress"),
    path("ecoles/<int:school_id>/", school_page.school_equipment, name="school"),
    # sign-offs of installations (views/signoffs.py)
    path("installations/", signoffs.signoff_list, name="signoff_list"),
    path("installations/export.<str:fmt>", signoffs.signoff_export, name="signoff_export"),
    path("installations/<int:allocation_id>/", signoffs.signoff_detail, name="signoff_detail"),
    path("installations/<int:allocation_id>/valider/", signoffs.signoff_sign, name="signoff_sign"),
    path(
        "installations/<int:allocation_id>/contresigner/",
        signoffs.signoff_cosign,
        name="signoff_cosign",
    ),
    path("installations/contresigner/", signoffs.signoff_cosign_bulk, name="signoff_cosign_bulk"),
    path(
        "validations/<int:signoff_id>/proces-verbal.pdf",
        signoffs.signoff_document,
        name="signoff_document",
    ),
    path("validations/<int:signoff_id>/photo", signoffs.signoff_photo, name="signoff_photo"),
    # new teachers, M7 (views/teachers.py)
    path("nouveaux-enseignants/", teachers.teacher_list, name="teacher_list"),
    path("nouveaux-enseignants/export.<str:fmt>", teachers.teacher_export, name="teacher_export"),
    path("nouveaux-enseignants/<int:staff_id>/", teachers.teacher_detail, name="teacher_detail"),
    path(
        "nouveaux-enseignants/<int:staff_id>/affecter/",
        teachers.teacher_allocate,
        name="teacher_allocate",
    ),
    path(
        "nouveaux-enseignants/<int:staff_id>/remise/",
        teachers.teacher_handover,
        name="teacher_handover",
    ),
    path(
        "nouveaux-enseignants/<int:staff_id>/restitution/",
        teachers.teacher_return,
        name="teacher_return",
    ),
    path(
        "nouveaux-enseignants/recus/<int:handover_id>/recu.pdf",
        teachers.teacher_receipt,
        name="teacher_receipt",
    ),
]
