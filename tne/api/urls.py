from django.urls import path, re_path

from . import errors, views

app_name = "api_docs"

urlpatterns = [
    path("", views.documentation, name="documentation"),
    # /api/<anything> but the API itself (/api/v1/…, which answers its own unknown addresses):
    # a JSON 404, never the site's HTML page.
    re_path(r"^(?!v1(/|$)).+$", errors.unknown_address, name="unknown-address"),
]
