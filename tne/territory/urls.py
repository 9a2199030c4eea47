from django.urls import path

from .views import browse, history, imports, school

app_name = "territory"

urlpatterns = [
    path("", browse.territory_index, name="index"),
    path("departements/<str:code>/", browse.departement_detail, name="departement"),
    path("departements/<str:code>/carte/", school.departement_map, name="departement_map"),
    path("etablissements/", browse.school_list, name="school_list"),
    path("etablissements/export.<str:fmt>", browse.school_export, name="school_export"),
    path("etablissements/<str:uai>/", school.school_detail, name="school_detail"),
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/modeles/<str:kind>.csv", imports.import_template, name="import_template"),
    path("historique/", history.territory_history, name="history"),
]
