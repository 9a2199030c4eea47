"""A URL configuration where every area of the loans has its pages (the fixed URL names of
``tne/loans/urls.py``), for the home page's tiles: the real one names only the areas merged."""

from django.http import HttpResponse
from django.urls import include, path

from tne import urls as site
from tne.loans.views import home


def _page(request, **kwargs):
    return HttpResponse("")


loans = (
    [
        path("", home.index, name="index"),
        path("tableau-de-bord/", _page, name="dashboard"),
        path("ecoles/<int:school_id>/eleves/", _page, name="pupils"),
        path("attributions/", _page, name="runs"),
        path("attente/", _page, name="waiting"),
        path("regles/", _page, name="rules"),
        path("remise/", _page, name="hand_out"),
        path("retour/", _page, name="return"),
        path("retards/", _page, name="overdue"),
        path("exports/declarations.<str:fmt>", _page, name="declarations_export"),
        path("exports/prets.<str:fmt>", _page, name="loans_export"),
        path("famille/", _page, name="family"),
    ],
    "loans",
)
urlpatterns = [
    *(p for p in site.urlpatterns if getattr(p, "namespace", None) != "loans"),
    path("prets/", include(loans)),
]
