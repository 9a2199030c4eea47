from django.urls import path

from .views import home, imports

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    # --- orders, invoices, ledger ---------------------------------------------------------------
    # --- asset register, incidents, labels, scan --------------------------------------------
    # --- delivery and inventory imports -------------------------------------------------------
    path("livraisons/import/", imports.delivery_import, name="delivery_import"),
    path("inventaire/import/", imports.inventory_import, name="inventory_import"),
    # --- socle audit, plan ------------------------------------------------------------------------
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
]
