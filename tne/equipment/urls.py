from django.urls import path

from .views import campaigns, home, progress, school_page

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
]
