"""Every list of the API makes a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.clients import TokenClient
from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    node,
    user_with_role,
)
from tne.territory.enums import NodeKind

pytestmark = pytest.mark.django_db

# Token lookup, the user's grants, then the page (plus the school for the nested lists).
BUDGET = 3
NESTED_BUDGET = 4


def populate(tree, n):
    """``n`` communes, schools, classes and staff in Aisne, all on one school for the nested
    lists."""
    school = SchoolFactory(commune=tree.laon, name="École témoin")
    for i in range(n):
        commune = node(NodeKind.COMMUNE, f"02{i:03d}", f"Commune {i}", tree.aisne)
        SchoolFactory(commune=commune)
        SchoolClassFactory(school=school)
        StaffFactory(school=school)
    return school


def rows(response):
    assert response.status_code == 200, response.content
    return len(response.json()["items"])


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/schools", BUDGET),
        ("/classes", BUDGET),
        ("/territory/nodes", BUDGET),
        ("/schools/{uai}/classes", NESTED_BUDGET),
        ("/schools/{uai}/staff", NESTED_BUDGET),
    ],
)
def test_a_list_makes_the_same_queries_for_3_or_30_rows(
    client, tree, path, budget, django_assert_max_num_queries
):
    api = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    api.get("/me")  # notes the token's last use, written at most once a minute
    small_path = path.format(uai=populate(tree, 3).uai)
    with CaptureQueriesContext(connection) as small:
        small_rows = rows(api.get(small_path, limit=500))
    big_path = path.format(uai=populate(tree, 30).uai)

    with django_assert_max_num_queries(budget) as big:
        big_rows = rows(api.get(big_path, limit=500))

    assert big_rows > small_rows
    assert len(big) == len(small)


def test_the_session_costs_two_queries_more_than_a_token(client, tree):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    populate(tree, 5)
    client.force_login(user)

    with CaptureQueriesContext(connection) as context:
        assert client.get("/api/v1/schools").status_code == 200

    # The session, the user, the grants, the page.
    assert len(context.captured_queries) == BUDGET + 1
