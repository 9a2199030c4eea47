"""The OpenAPI description: every operation described in French, with its error answers."""

import re

import pytest
from jsonschema import Draft202012Validator

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/me",
    "/api/v1/territory/nodes",
    "/api/v1/territory/nodes/{kind}/{code}",
    "/api/v1/schools",
    "/api/v1/schools/{uai}",
    "/api/v1/schools/{uai}/classes",
    "/api/v1/schools/{uai}/staff",
    "/api/v1/classes",
]


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def refs(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)


def test_it_lists_every_endpoint_as_a_get(schema):
    assert schema["openapi"].startswith("3.1")
    assert set(ENDPOINTS) <= set(schema["paths"])
    for path in ENDPOINTS:
        assert set(schema["paths"][path]) == {"get"}


def test_every_operation_is_described_in_french_and_answers_200(schema):
    operation_ids = []
    for path in ENDPOINTS:
        operation = schema["paths"][path]["get"]
        operation_ids.append(operation["operationId"])
        assert re.match(r"^(Lister|Lire|Mon) ", operation["summary"]), operation["summary"]
        assert operation["description"]
        assert "200" in operation["responses"]
        for parameter in operation.get("parameters", []):
            assert parameter["description"], (path, parameter["name"])
    assert len(set(operation_ids)) == len(operation_ids)


def test_every_schema_is_valid_json_schema_and_every_ref_resolves(schema):
    components = schema["components"]["schemas"]
    for definition in components.values():
        Draft202012Validator.check_schema(definition)
    for ref in refs(schema):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in components


def test_lists_are_paginated_by_cursor(schema):
    operation = schema["paths"]["/api/v1/schools"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page_schema = schema["components"]["schemas"][page.rsplit("/", 1)[1]]

    assert {"cursor", "limit", "departement", "commune", "q", "ips_min"} <= names
    assert set(page_schema["properties"]) == {"items", "next_cursor"}


def test_both_authentications_are_declared(schema):
    schemes = schema["components"]["securitySchemes"]

    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiTokenAuth"].items()
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_the_swagger_page_is_gone_the_french_page_documents_the_api(client):
    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/").status_code == 200


def test_every_operation_documents_its_error_answers_in_french(schema):
    for path in ENDPOINTS:
        operation = schema["paths"][path]["get"]
        responses = operation["responses"]
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        expected = {"401", "500"}
        if names:
            expected.add("422")
        if "cursor" in names:
            expected.add("400")
        if "{" in path:
            expected.add("404")
        assert expected <= set(responses), (path, set(responses))
        for code in expected:
            body = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("ValidationErrorOut" if code == "422" else "ErrorOut")
            assert responses[code]["description"][0].isupper()
    field_error = schema["components"]["schemas"]["FieldErrorOut"]
    assert set(field_error["required"]) == {"loc", "msg", "type"}


def test_a_new_router_gets_the_error_answers_without_edits():
    from ninja import Router

    from tne.api.auth import api_auth
    from tne.api.openapi import DocumentedErrorsAPI
    from tne.core.api.params import finite

    router = Router()

    @router.get("/things", summary="Lister des choses")
    def things(request, size: finite(0, 10) = 1):
        return []

    api = DocumentedErrorsAPI(urls_namespace="test_new_router", auth=api_auth)
    api.add_router("", router)
    responses = api.get_openapi_schema(path_prefix="")["paths"]["/things"]["get"]["responses"]

    assert {"200", "401", "422", "500"} <= {str(code) for code in responses}


def test_its_texts_have_french_typography(schema):
    texts = []

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {"summary", "description"} and isinstance(item, str):
                    texts.append(item)
                else:
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(schema)
    assert len(texts) > 50
    for text in texts:
        for plain in (" :", " ;", " ?", " !", "« ", " »"):
            assert plain not in text, text
