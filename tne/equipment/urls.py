from django.urls import path

from .views import audits, home

app_name = "equipment"

# One section per area; each area's views are in ``views/<area>.py``.
urlpatterns = [
    path("", home.index, name="index"),
    # --- catalogue, kits -----------------------------------------------------------------------
    # --- orders, invoices, ledger ---------------------------------------------------------------
    # --- asset register, incidents, labels, scan --------------------------------------------
    # --- delivery and inventory imports -------------------------------------------------------
    # --- socle audit, plan ------------------------------------------------------------------------
    path("audits/", audits.audit_list, name="audit_list"),
    path("audits/export/<str:fmt>/", audits.audit_export, name="audit_export"),
    path("audits/<int:school_id>/", audits.audit_school, name="audit_school"),
    path("audits/plan/", audits.audit_plan, name="audit_plan"),
    path("audits/plan/export/<str:fmt>/", audits.audit_plan_export, name="audit_plan_export"),
    # --- campaigns, allocations, sign-offs, progress, new teachers (M7) ------------------------
]
