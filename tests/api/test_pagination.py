"""Keyset pagination: walking the pages gives every row once, in order, without OFFSET."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Role, SchoolClassFactory, SchoolFactory
from tne.core.api.pagination import CURSOR_ERROR, encode_cursor
from tne.territory.models import School, SchoolClass

pytestmark = pytest.mark.django_db

# Few distinct names, so that many schools share one and the pk must break the tie.
NAMES = ["École Jean Jaurès", "École du Centre", "Collège Camus", "école du centre", "Zola"]


def walk(api, path, limit, **params):
    rows, cursor, pages = [], None, 0
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, **query)
        assert response.status_code == 200, response.content
        data = response.json()
        assert len(data["items"]) <= limit
        rows += data["items"]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            return rows, pages


@pytest.fixture
def aisne_api(api_as, tree):
    return api_as(Role.COORDINATOR, tree.aisne)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(st.sampled_from(NAMES), max_size=20), limit=st.integers(1, 7))
def test_walking_the_schools_gives_every_row_once_in_order(aisne_api, tree, names, limit):
    School.objects.all().delete()
    for name in names:
        SchoolFactory(commune=tree.laon, name=name)

    rows, pages = walk(aisne_api, "/schools", limit)

    expected = list(School.objects.order_by("name", "pk").values_list("uai", flat=True))
    assert [row["uai"] for row in rows] == expected
    assert pages == max(1, -(-len(names) // limit))


def test_walking_the_classes_gives_every_row_once(api_as, tree):
    school = SchoolFactory(commune=tree.cergy)
    SchoolClassFactory.create_batch(13, school=school)
    api = api_as(Role.COORDINATOR, tree.vdo)

    rows, pages = walk(api, "/classes", 5)

    assert [row["id"] for row in rows] == list(
        SchoolClass.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert pages == 3


def test_the_limit_defaults_to_50_and_is_capped_at_500(api_as, tree):
    SchoolFactory.create_batch(51, commune=tree.laon)
    api = api_as(Role.COORDINATOR, tree.aisne)

    first = api.get("/schools").json()

    assert len(first["items"]) == 50
    assert first["next_cursor"] is not None
    assert api.get("/schools", limit=501).status_code == 422
    assert api.get("/schools", limit=0).status_code == 422


@pytest.mark.parametrize("cursor", ["not base64!", "bm90IGpzb24", encode_cursor((1,))])
def test_a_malformed_cursor_is_a_400(api_as, tree, cursor):
    api = api_as(Role.COORDINATOR, tree.aisne)

    response = api.get("/schools", cursor=cursor)

    assert response.status_code == 400
    assert response.json() == {"detail": CURSOR_ERROR}
