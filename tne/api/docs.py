"""The interactive API documentation (Swagger UI) served from our own static files.

django-ninja's default page loads Swagger UI from a CDN when ``ninja`` is not an installed app;
we render it with the copy shipped by ``drf_spectacular_sidecar`` instead, and start it with our
static ``api/docs.js`` (no inline script, so the Content Security Policy needs no exception)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    template = "api/docs.html"
    default_settings = {
        **Swagger.default_settings,
        # Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
        "validatorUrl": None,
        "docExpansion": "list",
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            self.template,
            {"swagger_settings": settings, "api": api, "title": "Documentation de l'API"},
        )
