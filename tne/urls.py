from django.contrib import admin
from django.urls import include, path

from tne.api.api import api
from tne.core.views import dashboard

admin.site.site_header = "TNE — administration"
admin.site.site_title = "TNE"
admin.site.index_title = "Administration des comptes, rôles et données de référence"

urlpatterns = [
    path("", dashboard, name="home"),
    path("", include("tne.core.urls")),
    path("comptes/", include("tne.accounts.urls")),
    path("territoire/", include("tne.territory.urls")),
    path("programme/", include("tne.programme.urls")),
    path("equipement/", include("tne.equipment.urls")),
    path("prets/", include("tne.loans.urls")),
    path("api/", include("tne.api.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "tne.core.views.permission_denied"
handler404 = "tne.core.views.page_not_found"
handler500 = "tne.core.views.server_error"
