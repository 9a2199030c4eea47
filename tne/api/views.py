"""The documentation page of the API, in French, inside the site's shell: what the API is for,
how to get a token and call it, pagination, errors, scoping, and every operation read from the
OpenAPI description (:mod:`tne.api.reference`). Public, like the OpenAPI description itself:
it shows no data."""

import json

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse

from tne.core.api.pagination import CURSOR_ERROR, DEFAULT_LIMIT, MAX_LIMIT
from tne.core.api.params import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS
from tne.core.pages import breadcrumb

from .api import api
from .errors import french_error
from .reference import anchor, operations


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@login_not_required
def documentation(request):
    document = api.get_openapi_schema()
    context = {
        "title": "Documentation de l'API",
        "breadcrumb_data": breadcrumb("Documentation de l'API"),
        "api_title": document["info"]["title"],
        "api_version": document["info"]["version"],
        "groups": operations(document),
        "openapi_url": reverse("api:openapi-json"),
        "base_url": request.build_absolute_uri(reverse("api:api-root")).rstrip("/"),
        "default_limit": DEFAULT_LIMIT,
        "max_limit": MAX_LIMIT,
        "search_max_length": SEARCH_MAX_LENGTH,
        "search_max_words": SEARCH_MAX_WORDS,
        "me_anchor": anchor("get", reverse("api:me")),
        # The examples are what the API answers, from the code that answers it.
        "cursor_example": _json({"detail": CURSOR_ERROR}),
        "validation_example": _json(
            {"detail": [french_error({"type": "finite_number", "loc": ("query", "ips_min")})]}
        ),
    }
    if not request.user.is_authenticated:
        # The main navigation is shown to signed-in users only: no skip link to it then.
        context["skiplinks"] = [
            {"link": "#content", "label": "Contenu"},
            {"link": "#footer", "label": "Pied de page"},
        ]
    return render(request, "api/documentation.html", context)
