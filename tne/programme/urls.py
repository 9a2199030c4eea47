from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.programme_index, name="index"),
    path("objectifs/export.<str:fmt>", views.target_export, name="target_export"),
    path("objectifs/nouveau/", views.target_create, name="target_create"),
    path("objectifs/<int:target_id>/", views.target_update, name="target_update"),
    path("objectifs/<int:target_id>/supprimer/", views.target_delete, name="target_delete"),
    path("enveloppes/export.<str:fmt>", views.envelope_export, name="envelope_export"),
    path("enveloppes/nouvelle/", views.envelope_create, name="envelope_create"),
    path("enveloppes/<int:envelope_id>/", views.envelope_update, name="envelope_update"),
    path("enveloppes/<int:envelope_id>/supprimer/", views.envelope_delete, name="envelope_delete"),
]
