from django.urls import path

from .views import assets, home

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    # --- orders, invoices, ledger ---------------------------------------------------------------
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
    # --- socle audit, plan ------------------------------------------------------------------------
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
]
