"""Every error of the API is JSON with a French message, for every router mounted on the API:

- a parameter that does not validate (pydantic, through ninja's ``ValidationError``) is a 422
  ``{"detail": [{"loc": ["query", "ips_min"], "msg": "Paramètre « ips_min » : …", "type":
  "finite_number"}]}``: ``loc`` and ``type`` are pydantic's (stable, for programs), ``msg`` is
  French and names the parameter;
- an ``HttpError`` (a bad cursor: 400) is ``{"detail": "…"}``, as are 401 and 404;
- any other exception is a JSON 500 with a French sentence, its traceback in the log: an HTML
  page never comes out of ``/api/``.

:func:`install` registers the handlers on a ``NinjaAPI``; :mod:`tne.api.openapi` declares
these answers on every operation of the OpenAPI description.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tne.core.api.params import NBSP, hint_of

logger = logging.getLogger("tne.api")

UNAUTHENTICATED = (
    f"Authentification requise{NBSP}: jeton d'API (Authorization{NBSP}: Bearer) ou session."
)
NOT_FOUND = f"Introuvable{NBSP}: cet objet n'existe pas ou n'est pas dans votre périmètre."
SERVER_ERROR = (
    "Erreur interne du serveur. L'incident est enregistré dans le journal de TNE"
    f"{NBSP}; réessayez plus tard ou signalez-le à votre coordinateur."
)
FALLBACK = "Valeur invalide."
UNKNOWN_ADDRESS = (
    f"Adresse inconnue de l'API{NBSP}; les opérations sont décrites sur /api/ et dans "
    "/api/v1/openapi.json."
)
NOT_ALLOWED = f"Méthode non permise pour cette adresse{NBSP}: voyez la documentation de l'API."
# What a non-JSON answer of the stack (ninja's 405, Django's CSRF 403…) becomes.
STATUS_MESSAGES = {
    403: f"Accès refusé{NBSP}: requête refusée par le serveur.",
    404: UNKNOWN_ADDRESS,
    405: NOT_ALLOWED,
}

# pydantic's error types → the French sentence (``{…}`` from the error's ``ctx``).
MESSAGES = {
    "missing": "paramètre obligatoire manquant.",
    "int_parsing": "doit être un nombre entier.",
    "int_parsing_size": "doit être un nombre entier d'au plus 19 chiffres.",
    "int_from_float": "doit être un nombre entier.",
    "int_type": "doit être un nombre entier.",
    "float_parsing": f"doit être un nombre, avec un point décimal («{NBSP}72.5{NBSP}»).",
    "float_type": "doit être un nombre.",
    "decimal_parsing": f"doit être un nombre, avec un point décimal («{NBSP}72.5{NBSP}»).",
    "finite_number": f"doit être un nombre fini (ni «{NBSP}nan{NBSP}» ni «{NBSP}inf{NBSP}»).",
    "greater_than_equal": "doit être supérieur ou égal à {ge}.",
    "greater_than": "doit être strictement supérieur à {gt}.",
    "less_than_equal": "doit être inférieur ou égal à {le}.",
    "less_than": "doit être strictement inférieur à {lt}.",
    "string_too_long": "{max_length} caractères au plus.",
    "string_too_short": "{min_length} caractères au moins.",
    "string_type": "doit être un texte.",
    "string_unicode": "doit être un texte en UTF-8.",
    "string_pattern_mismatch": "ne respecte pas le format attendu ({hint}).",
    "enum": f"Valeur inconnue{NBSP}; valeurs possibles{NBSP}: {{expected}}.",
    "literal_error": f"Valeur inconnue{NBSP}; valeurs possibles{NBSP}: {{expected}}.",
    "bool_parsing": f"doit valoir «{NBSP}true{NBSP}» ou «{NBSP}false{NBSP}».",
    "bool_type": f"doit valoir «{NBSP}true{NBSP}» ou «{NBSP}false{NBSP}».",
    "date_parsing": f"doit être une date AAAA-MM-JJ («{NBSP}2026-09-01{NBSP}»).",
    "date_from_datetime_parsing": f"doit être une date AAAA-MM-JJ («{NBSP}2026-09-01{NBSP}»).",
    "datetime_parsing": "doit être une date et une heure ISO 8601.",
    "datetime_from_date_parsing": "doit être une date et une heure ISO 8601.",
    "uuid_parsing": "doit être un identifiant UUID.",
    "list_type": "doit être une liste.",
    "too_long": "{max_length} éléments au plus.",
    "too_short": "{min_length} éléments au moins.",
    "json_invalid": "JSON invalide.",
    "value_error": "{error}.",
}


def _name(loc: list | tuple) -> str:
    """The parameter an error is about: the last name of its place (``query.ips_min``)."""
    names = [str(part) for part in loc[1:] if not isinstance(part, int)] or [str(loc[-1])]
    return names[-1] if names else "?"


def _expected(ctx: dict) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", " ou ").replace("'", "")


def french_message(error: dict) -> str:
    """The French sentence of one pydantic error (``type``, ``ctx``), without its place."""
    template = MESSAGES.get(error.get("type", ""))
    if template is None:
        return FALLBACK
    ctx = dict(error.get("ctx") or {})
    ctx["expected"] = _expected(ctx)
    ctx["hint"] = hint_of(str(ctx.get("pattern", ""))) or f"motif {ctx.get('pattern', '')}"
    ctx["error"] = str(ctx.get("error", "")).removeprefix("Value error, ").rstrip(".")
    try:
        message = template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return FALLBACK
    return message[:1].upper() + message[1:]


def french_error(error: dict) -> dict:
    """One error of ninja's 422 with its ``msg`` in French, naming the parameter."""
    loc = list(error.get("loc") or [])
    message = french_message(error)
    if loc:
        if message[1:2].islower():
            message = message[:1].lower() + message[1:]
        message = f"Paramètre «{NBSP}{_name(loc)}{NBSP}»{NBSP}: {message}"
    return {"loc": loc, "msg": message, "type": str(error.get("type", "value_error"))}


def install(api: NinjaAPI) -> None:
    """Register the French error handlers on ``api`` (every router mounted on it uses them)."""

    def respond(request: HttpRequest, body: Any, status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, {"detail": [french_error(e) for e in exc.errors]}, 422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = UNAUTHENTICATED if exc.message == "Unauthorized" else exc.message
        response = respond(request, {"detail": detail}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, {"detail": exc.message}, exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, {"detail": NOT_FOUND}, 404)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error(
            "Erreur de l'API sur %s %s", request.method, request.get_full_path(), exc_info=exc
        )
        return respond(request, {"detail": SERVER_ERROR}, 500)


def json_errors(view: Callable) -> Callable:
    """``view``, whose error answers that are not JSON (ninja's 405 « Method not allowed »…)
    become ``{"detail": "…"}`` in French, with the same status and headers (``Allow``)."""

    @functools.wraps(view)  # keeps csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        repeated = repeated_parameters(request)
        if repeated:
            return JsonResponse({"detail": repeated}, status=422)
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # ninja's root view /api/v1/, outside its exception handlers
            return unknown_address(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        detail = STATUS_MESSAGES.get(response.status_code, SERVER_ERROR)
        answer = JsonResponse({"detail": detail}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer

    return wrapped


def repeated_parameters(request: HttpRequest) -> list[dict]:
    """The errors of the query parameters given more than once: no parameter of the API is a
    list, so ``?measure=M4&measure=M5`` is refused rather than read as one of its values."""
    return [
        {
            "loc": ["query", name],
            "msg": f"Paramètre « {name} » : donné {len(values)} fois{NBSP}; donnez-le une seule "
            "fois.",
            "type": "repeated_parameter",
        }
        for name, values in request.GET.lists()
        if len(values) > 1
    ]


def unknown_address(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any address under the API that no operation answers: a JSON 404, not the site's page."""
    return JsonResponse({"detail": UNKNOWN_ADDRESS}, status=404)
