"""The OpenAPI description declares the error answers of every operation, once for all routers
(a router mounted later, such as the programme's, needs no edit): 401 wherever authentication
is required, 422 wherever there are parameters, 400 on the lists paginated by cursor, 404 on the
operations that read an object by its path, 500 everywhere; each with its French description and
its schema (``ErrorOut`` ``{"detail": "…"}``, ``ValidationErrorOut`` for 422)."""

from typing import Any

from django.urls import re_path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from tne.core.api.schemas import ErrorOut, FieldErrorOut, ValidationErrorOut

from . import errors
from .reference import french_typography

DESCRIPTIONS = {
    "400": "Requête invalide : curseur de pagination abîmé ou d'une autre liste ; reprenez la "
    "liste depuis le début.",
    "401": "Authentification requise, ou jeton invalide, expiré ou révoqué.",
    "404": "Introuvable, ou hors de votre périmètre.",
    "422": "Paramètres invalides : une erreur en français par paramètre, avec sa place.",
    "500": "Erreur interne du serveur (enregistrée dans le journal).",
}


def _ref(name: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def _components() -> dict[str, Any]:
    schemas = {}
    for schema in (ErrorOut, FieldErrorOut, ValidationErrorOut):
        definition = schema.model_json_schema(ref_template="#/components/schemas/{model}")
        definition.pop("$defs", None)
        schemas[schema.__name__] = definition
    return schemas


def error_codes(operation: dict) -> list[str]:
    """The error answers ``operation`` may give."""
    parameters = operation.get("parameters", [])
    codes = []
    if any(p.get("name") == "cursor" for p in parameters):
        codes.append("400")
    if operation.get("security"):
        codes.append("401")
    if any(p.get("in") == "path" for p in parameters):
        codes.append("404")
    if parameters or "requestBody" in operation:
        codes.append("422")
    codes.append("500")
    return codes


def _typeset(value: Any) -> None:
    """French typography (no-break spaces) in every summary and description, in place."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"summary", "description"} and isinstance(item, str):
                value[key] = french_typography(item)
            else:
                _typeset(item)
    elif isinstance(value, list):
        for item in value:
            _typeset(item)


def document_errors(schema: dict) -> dict:
    """Add the error answers to every operation of ``schema`` (an OpenAPI dict), in place, and
    give its texts French typography."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(_components())
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for code in error_codes(operation):
                name = "ValidationErrorOut" if code == "422" else "ErrorOut"
                responses[code] = {"description": DESCRIPTIONS[code], **_ref(name)}
    _typeset(schema)
    return schema


class DocumentedErrorsAPI(NinjaAPI):
    """A ``NinjaAPI`` whose OpenAPI description declares its error answers, and whose every
    address answers JSON: the views' non-JSON errors are rewritten (:func:`errors.json_errors`)
    and an address no operation answers is a JSON 404 (:func:`errors.unknown_address`)."""

    def _get_urls(self) -> list:
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = errors.json_errors(pattern.callback)
        return [*patterns, re_path(r"^.*$", errors.unknown_address, name="unknown-address")]

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        return document_errors(super().get_openapi_schema(**kwargs))
