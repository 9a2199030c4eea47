"""The French documentation page of the API, inside the site's shell, generated from the OpenAPI
description: every operation, its parameters and its answers."""

import html

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.api.reference import french_typography, operations, rich_text, type_label

pytestmark = pytest.mark.django_db

URL = "/api/"


@pytest.fixture
def page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def schema(client):
    return client.get("/api/v1/openapi.json").json()


def test_it_is_public_in_french_inside_the_site_shell(page):
    assert '<html lang="fr"' in page
    assert 'class="fr-header' in page and 'id="footer"' in page
    assert "<h1>Documentation de l'API</h1>" in page
    assert "swagger" not in page.lower()


def test_it_says_how_to_get_a_token_and_call_the_api(page):
    assert f'href="{reverse("accounts:api_tokens")}"' in page
    assert (
        'curl -H "Authorization: Bearer tne_…" "http://testserver/api/v1/schools?departement=02"'
        in page
    )
    assert 'href="/api/v1/openapi.json"' in page
    for anchor in ("jeton", "appel", "pagination", "erreurs", "perimetre", "operations"):
        assert f'id="{anchor}"' in page


def test_its_error_examples_are_what_the_api_answers(page, api_as, tree):
    api = api_as(Role.COORDINATOR, tree.aisne)
    cursor = api.get("/schools", cursor="abc").json()["detail"]
    invalid = api.get("/schools", ips_min="nan").json()["detail"][0]["msg"]

    assert cursor in page
    assert invalid in page


def test_every_operation_is_listed_with_its_parameters_and_answers(page, schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert f"{method.upper()} {path}" in page
            assert operation["summary"] in page
            for parameter in operation.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in page
    assert page.count('class="fr-accordion"') == sum(len(item) for item in schema["paths"].values())
    assert '<th scope="row">422</th>' in page


def test_a_parameter_type_reads_in_french(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/schools"]["get"]["parameters"]}

    assert type_label(parameters["limit"]["schema"], schema) == (
        "nombre entier, de 1 à 500, 50 par défaut"
    )
    assert type_label(parameters["ips_min"]["schema"], schema) == "nombre, de 0 à 300"
    assert type_label(parameters["network"]["schema"], schema) == "une valeur parmi REP, REP_PLUS"
    uai = schema["paths"]["/api/v1/schools/{uai}"]["get"]["parameters"][0]["schema"]
    assert "7\u00a0chiffres et une lettre" in type_label(uai, schema)


def test_operations_are_grouped_by_tag_in_order(schema):
    groups = operations(schema)

    assert [group.name for group in groups][:2] == ["Compte", "Territoire"]
    assert groups[0].operations[0].path == "/api/v1/me"
    assert len({op.anchor for group in groups for op in group.operations}) == sum(
        len(group.operations) for group in groups
    )


def test_texts_get_french_typography_and_code_spans_escaped():
    assert french_typography("Erreur : « x » ; oui ?") == (
        "Erreur\u00a0: «\u00a0x\u00a0»\u00a0; oui\u00a0?"
    )
    assert rich_text("voir `next_cursor` <b>") == "voir <code>next_cursor</code> &lt;b&gt;"


def test_a_signed_in_user_gets_the_navigation_skip_link(client, tree):
    anonymous = client.get(URL).content.decode()
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    signed_in = client.get(URL).content.decode()

    assert 'href="#navigation"' not in anonymous
    assert 'href="#navigation"' in signed_in and 'id="navigation"' in signed_in


def test_the_tokens_page_links_to_this_page(client, tree):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    tokens_page = client.get(reverse("accounts:api_tokens")).content.decode()

    assert f'href="{URL}"' in tokens_page
    assert "/api/v1/docs" not in tokens_page
