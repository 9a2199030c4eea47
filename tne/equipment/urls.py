from django.urls import path

from .views import home, signoffs

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    # --- orders, invoices, ledger ---------------------------------------------------------------
    # --- asset register, incidents, labels, scan --------------------------------------------
    # --- delivery and inventory imports -------------------------------------------------------
    # --- socle audit, plan ------------------------------------------------------------------------
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
    # sign-offs of installations (views/signoffs.py)
    path("installations/", signoffs.signoff_list, name="signoff_list"),
    path("installations/export.<str:fmt>", signoffs.signoff_export, name="signoff_export"),
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
]
