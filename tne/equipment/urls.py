from django.urls import path

from .views import home, orders

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
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
    # --- delivery and inventory imports -------------------------------------------------------
    # --- socle audit, plan ------------------------------------------------------------------------
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
]
