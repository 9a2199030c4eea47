"""Malformed input never makes the API fail: every bad cursor, number, text or path parameter is
a 4xx in JSON whose French message names the parameter, and an unexpected error is a JSON 500."""

import base64
import json
import logging

import pytest
from django.test import override_settings

from tests.factories import Role
from tne.core.api.pagination import encode_cursor

pytestmark = pytest.mark.django_db

CURSOR_DETAIL = (
    "Paramètre «\u00a0cursor\u00a0»\u00a0: curseur invalide\u00a0; "
    "reprenez la liste depuis le début."
)


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


@pytest.fixture
def api(api_as, tree, schools):
    return api_as(Role.COORDINATOR, tree.aisne)


def assert_french_json(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def messages(body) -> str:
    detail = body["detail"]
    if isinstance(detail, str):
        return detail
    return " | ".join(error["msg"] for error in detail)


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/schools", "WyJBIiwiYWJjIl0"),  # ["A","abc"]: a text where the pk is
        ("/schools", encode_cursor(("A",))),  # one value for two keys
        ("/schools", encode_cursor((1, 2))),  # a number where the name is
        ("/schools", raw_cursor('["A", 99999999999999999999999]')),  # beyond 64 bits
        ("/schools", raw_cursor('["\\ud800", 1]')),  # a lone surrogate
        ("/schools", raw_cursor('["A\\u0000", 1]')),  # a NUL character
        ("/schools", raw_cursor('{"a": 1}')),
        ("/schools", raw_cursor("[1.5, 2]")),
        ("/schools", "not base64!"),
        ("/schools", "bm90IGpzb24"),
        ("/schools", "A" * 2000),
        ("/classes", raw_cursor('["abc"]')),
        ("/classes", raw_cursor("[true]")),
        ("/territory/nodes", raw_cursor('["abc"]')),
        ("/schools/{uai}/staff", raw_cursor('["abc"]')),
        ("/schools/{uai}/classes", raw_cursor('["abc"]')),
    ],
)
def test_a_malformed_cursor_is_a_400_naming_the_parameter(api, schools, path, cursor):
    response = api.get(path.format(uai=schools.laon_ecole.uai), cursor=cursor)

    assert assert_french_json(response, 400) == {"detail": CURSOR_DETAIL}


def test_a_cursor_of_bytes_that_are_not_utf8_is_a_400(api):
    response = api.client.get(
        "/api/v1/schools?cursor=%ED%A0%80%FF", headers={"Authorization": f"Bearer {api.raw}"}
    )

    assert assert_french_json(response, 400) == {"detail": CURSOR_DETAIL}


def test_a_cursor_of_the_right_types_still_pages(api):
    first = api.get("/schools", limit=1).json()

    second = api.get("/schools", limit=1, cursor=first["next_cursor"])

    assert second.status_code == 200
    assert second.json()["items"][0]["uai"] != first["items"][0]["uai"]


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity", "1e400", "-1e400"])
@pytest.mark.parametrize("name", ["ips_min", "ips_max"])
def test_a_float_that_is_not_finite_is_a_422_in_french(api, name, value):
    body = assert_french_json(api.get("/schools", **{name: value}), 422)

    assert body["detail"][0]["loc"] == ["query", name]
    assert "nombre fini" in body["detail"][0]["msg"]


@pytest.mark.parametrize("value", ["1e20", "-5", "100000"])
def test_a_float_out_of_its_range_is_a_422(api, value):
    body = assert_french_json(api.get("/schools", ips_min=value), 422)

    assert body["detail"][0]["loc"] == ["query", "ips_min"]
    assert body["detail"][0]["type"] in {"greater_than_equal", "less_than_equal"}


def test_a_finite_float_filters(api, schools):
    body = api.get("/schools", ips_min="100", ips_max="1.2e2").json()

    assert [school["uai"] for school in body["items"]] == [schools.soissons_ecole.uai]


def test_a_search_of_a_thousand_words_is_a_422_saying_the_cap(api):
    body = assert_french_json(api.get("/schools", q=" ".join(["ecole"] * 1000)), 422)

    assert body["detail"][0]["loc"] == ["query", "q"]
    assert "100 caractères" in body["detail"][0]["msg"]


def test_a_search_of_too_many_short_words_is_a_422(api):
    body = assert_french_json(api.get("/schools", q=" ".join("abcdefghijklmnopqrstuvwxyz")), 422)

    assert body["detail"][0]["loc"] == ["query", "q"]
    assert "mots" in body["detail"][0]["msg"]


def test_a_search_of_a_few_words_still_finds(api, schools):
    body = api.get("/schools", q="jean mace").json()

    assert [school["uai"] for school in body["items"]] == [schools.laon_ecole.uai]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/schools", {"departement": "0\x002"}),
        ("/schools", {"commune": "\x00"}),
        ("/schools", {"q": "ecole\x00"}),
        ("/classes", {"school": "\x00"}),
        ("/classes", {"year": "2025\x00"}),
        ("/territory/nodes", {"parent": "\x00"}),
        ("/schools", {"departement": "0" * 500}),
    ],
)
def test_a_text_with_control_characters_or_too_long_is_a_422(api, path, params):
    body = assert_french_json(api.get(path, **params), 422)

    assert body["detail"][0]["loc"] == ["query", next(iter(params))]


@pytest.mark.parametrize(
    "path",
    [
        "/schools/%00",
        "/schools/abc",
        "/schools/" + "1" * 300,
        "/schools/%00/classes",
        "/schools/abc/staff",
        "/territory/nodes/DEPARTEMENT/%00",
        "/territory/nodes/DEPARTEMENT/" + "9" * 300,
    ],
)
def test_a_path_parameter_of_the_wrong_shape_is_a_422(api, path):
    body = assert_french_json(api.get(path), 422)

    assert body["detail"][0]["loc"][0] == "path"


def test_a_node_kind_that_is_not_a_kind_is_a_422_listing_the_kinds(api):
    body = assert_french_json(api.get("/territory/nodes/PLANETE/02"), 422)

    assert body["detail"][0]["loc"] == ["path", "kind"]
    assert "DEPARTEMENT" in body["detail"][0]["msg"]
    assert "valeur inconnue" in body["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("params", "loc", "fragment"),
    [
        ({"limit": "-1"}, ["query", "limit"], "supérieur ou égal à 1"),
        ({"limit": "0"}, ["query", "limit"], "supérieur ou égal à 1"),
        ({"limit": "501"}, ["query", "limit"], "inférieur ou égal à 500"),
        ({"limit": "9" * 400}, ["query", "limit"], "inférieur ou égal à 500"),
        ({"limit": "abc"}, ["query", "limit"], "nombre entier"),
        ({"limit": "1.5"}, ["query", "limit"], "nombre entier"),
        ({"kind": "PLANETE"}, ["query", "kind"], "valeur inconnue"),
        ({"sector": "x"}, ["query", "sector"], "valeur inconnue"),
        ({"network": "REP+"}, ["query", "network"], "valeur inconnue"),
        ({"ips_min": "abc"}, ["query", "ips_min"], "nombre"),
    ],
)
def test_a_bad_query_parameter_is_a_422_in_french_with_its_place(api, params, loc, fragment):
    body = assert_french_json(api.get("/schools", **params), 422)

    error = body["detail"][0]
    assert error["loc"] == loc
    assert fragment in error["msg"], error["msg"]
    assert set(error) >= {"loc", "msg", "type"}
    assert "Input should" not in json.dumps(body)


def test_a_repeated_parameter_is_refused_not_read_as_one_of_its_values(api):
    """No parameter of the API is a list (the fuzzing found ``?measure=M4&measure=…`` read as
    its last value, against the OpenAPI)."""
    body = assert_french_json(api.get("/schools", limit=["1", "2"]), 422)

    assert body["detail"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Paramètre « limit » : donné 2 fois\u00a0; donnez-le une seule fois.",
            "type": "repeated_parameter",
        }
    ]
    assert api.get("/programme/targets", measure=["M4", "M5"]).status_code == 422


def test_a_bad_node_filter_is_a_422_in_french(api):
    body = assert_french_json(api.get("/territory/nodes", kind="X", parent_kind="Y"), 422)

    assert {tuple(error["loc"]) for error in body["detail"]} == {
        ("query", "kind"),
        ("query", "parent_kind"),
    }
    assert all("valeur inconnue" in error["msg"] for error in body["detail"])


def test_an_unknown_error_type_has_a_french_fallback():
    from tne.api.errors import french_message

    assert french_message({"type": "brand_new_error", "msg": "Something"}) == ("Valeur invalide.")


@override_settings(DEBUG=False)
def test_an_unexpected_error_is_a_json_500_in_french_and_is_logged(
    api, monkeypatch, caplog, client
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("tne.territory.api.search_q", broken)
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR):
        response = api.get("/schools", q="ecole")

    body = assert_french_json(response, 500)
    assert body["detail"].startswith("Erreur interne")
    assert "boom" not in response.content.decode()
    assert any("boom" in record.getMessage() or record.exc_info for record in caplog.records)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_method_is_a_405_in_french_json(api, method):
    response = getattr(api.client, method)(
        "/api/v1/schools", headers={"Authorization": f"Bearer {api.raw}"}
    )

    body = assert_french_json(response, 405)
    assert body["detail"].startswith("Méthode non permise")
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/schools/",
        "/api/v1/schools/0020001A/nope",
        "/api/v1/%00",
        "/api/v1/",
        "/api/nope",
        "/api/v2/schools",
    ],
)
def test_an_unknown_api_address_is_a_404_in_french_json(api, path):
    response = api.client.get(path, headers={"Authorization": f"Bearer {api.raw}"})

    body = assert_french_json(response, 404)
    assert body["detail"].startswith("Adresse inconnue")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"type": "missing", "loc": ("query", "uai")},
            "Paramètre «\u00a0uai\u00a0»\u00a0: paramètre obligatoire manquant.",
        ),
        ({"type": "int_parsing", "loc": ("query", "limit")}, "doit être un nombre entier."),
        ({"type": "float_parsing", "loc": ("query", "ips_min")}, "doit être un nombre"),
        (
            {"type": "string_too_long", "loc": ("query", "q"), "ctx": {"max_length": 100}},
            "100 caractères au plus.",
        ),
        (
            {"type": "greater_than_equal", "loc": ("query", "limit"), "ctx": {"ge": 1}},
            "supérieur ou égal à 1.",
        ),
        (
            {"type": "less_than_equal", "loc": ("query", "limit"), "ctx": {"le": 500}},
            "inférieur ou égal à 500.",
        ),
        (
            {"type": "enum", "loc": ("query", "kind"), "ctx": {"expected": "'A' or 'B'"}},
            "valeurs possibles\u00a0: A ou B.",
        ),
        (
            {
                "type": "literal_error",
                "loc": ("path", "kind"),
                "ctx": {"expected": "'A', 'B' or 'C'"},
            },
            "A, B ou C.",
        ),
        (
            {"type": "bool_parsing", "loc": ("query", "is_pilot")},
            "«\u00a0true\u00a0» ou «\u00a0false\u00a0»",
        ),
        (
            {
                "type": "string_pattern_mismatch",
                "loc": ("path", "uai"),
                "ctx": {"pattern": "^[0-9]{7}[A-Za-z]$"},
            },
            "7\u00a0chiffres et une lettre",
        ),
        (
            {"type": "brand_new_error", "loc": ("query", "x")},
            "Paramètre «\u00a0x\u00a0»\u00a0: valeur invalide.",
        ),
    ],
)
def test_each_pydantic_error_type_reads_in_french_with_its_parameter(error, expected):
    from tne.api.errors import french_error

    translated = french_error(error)

    assert expected in translated["msg"]
    assert translated["msg"].startswith(f"Paramètre «\u00a0{error['loc'][-1]}\u00a0»\u00a0: ")
    assert translated["loc"] == list(error["loc"])
    assert translated["type"] == error["type"]


def test_a_uai_of_the_wrong_shape_says_the_shape(api):
    body = assert_french_json(api.get("/schools/abc"), 422)

    assert body["detail"][0]["loc"] == ["path", "uai"]
    assert "7\u00a0chiffres et une lettre" in body["detail"][0]["msg"]


def test_the_json_error_wrapper_keeps_the_views_csrf_exemption():
    from django.urls import resolve

    assert resolve("/api/v1/schools").func.csrf_exempt is True
