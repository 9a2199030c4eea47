"""How the lists count their results: a sentence when there is none, singular and plural."""

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role


@pytest.fixture
def national(tree):
    return user_with_role(Role.NATIONAL, tree.country)


def status(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('role="status"')
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


def school_list(client, user, **params):
    client.force_login(user)
    return client.get(reverse("territory:school_list"), params)


def communes(client, user, **params):
    client.force_login(user)
    return client.get(reverse("territory:departement", args=["02"]), params)


def test_no_school_says_so_instead_of_zero(client, tree, national):
    assert status(school_list(client, national)) == (
        "Aucun établissement ne correspond à ces critères dans votre périmètre."
    )


def test_one_school_is_singular_and_several_are_plural(client, tree, national):
    SchoolFactory(commune=tree.laon)
    assert status(school_list(client, national)) == "1\xa0établissement."

    SchoolFactory(commune=tree.soissons)
    assert status(school_list(client, national)) == "2\xa0établissements."


def test_the_school_count_of_an_htmx_refresh_says_so_too(client, tree, national):
    client.force_login(national)
    response = client.get(
        reverse("territory:school_list"),
        {"q": "introuvable"},
        headers={"HX-Request": "true", "HX-Target": "school-results", "HX-Trigger-Name": "q"},
    )

    assert "<h1>" not in response.content.decode()
    # The live region of the page keeps its place: htmx changes its text only.
    html = response.content.decode()
    oob = html[html.index('<p id="school-count-live" hx-swap-oob="innerHTML">') :]
    assert oob[oob.index(">") + 1 :].startswith("Aucun établissement ne correspond")


def test_no_commune_with_schools_says_so(client, tree, national):
    assert status(communes(client, national)) == (
        "Aucune commune avec des établissements dans votre périmètre."
    )


def test_no_commune_for_a_search_names_the_search(client, tree, national):
    SchoolFactory(commune=tree.laon)

    assert status(communes(client, national, q="xyz")) == (
        "Aucune commune avec des établissements ne correspond à «&nbsp;xyz&nbsp;»."
    )
    assert status(communes(client, national, q="xyz", toutes="1")) == (
        "Aucune commune ne correspond à «&nbsp;xyz&nbsp;»."
    )


def test_communes_are_counted_in_singular_and_plural(client, tree, national):
    SchoolFactory(commune=tree.laon)
    assert status(communes(client, national)) == "1\xa0commune avec des établissements."
    assert status(communes(client, national, q="laon")) == (
        "1\xa0commune avec des établissements pour «&nbsp;laon&nbsp;»."
    )

    assert status(communes(client, national, toutes="1")) == "2\xa0communes."
