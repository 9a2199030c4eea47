from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_access
from .forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, extra_context={"title": "Connexion"}
        ),
        name="login",
    ),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("jetons/", views.api_tokens, name="api_tokens"),
    path("jetons/<int:token_id>/revoquer/", views.revoke_token, name="revoke_api_token"),
    path("acces/", views_access.access_list, name="access_list"),
    path("acces/export.csv", views_access.access_export, name="access_export"),
    path("acces/ajouter/", views_access.access_grant, name="access_grant"),
    path(
        "acces/recherche/territoires/",
        views_access.access_target_options,
        {"what": "territoires"},
        name="access_node_options",
    ),
    path(
        "acces/recherche/etablissements/",
        views_access.access_target_options,
        {"what": "etablissements"},
        name="access_school_options",
    ),
    path("acces/inviter/", views_access.access_invite, name="access_invite"),
    path(
        "acces/inviter/modele.csv",
        views_access.access_invite_template,
        name="access_invite_template",
    ),
    path(
        "acces/<int:assignment_id>/retirer/",
        views_access.access_withdraw,
        name="access_withdraw",
    ),
    path("mot-de-passe-oublie/", views_access.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        views_access.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        views_access.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views_access.PasswordSetView.as_view(),
        name="password_set",
    ),
]
