"""The searches of the grant form: territories and schools of the manager's authority only
(fitting the role), an accessible combobox with a listbox filled by htmx, and without
JavaScript a search field that filters the « Territoire » select."""

import re

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role
from tne.accounts.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _search(what):
    name = {"territoires": "access_node_options", "etablissements": "access_school_options"}
    return reverse(f"accounts:{name[what]}")


@pytest.fixture
def coordinator(tree, client):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(user)
    return user


def _options(response) -> list[tuple[str, str]]:
    return re.findall(
        r'role="option"[^>]*data-value="([^"]*)" data-label="([^"]*)"', response.content.decode()
    )


def test_it_finds_the_territories_of_the_authority_fitting_the_role(client, coordinator, tree):
    found = _options(client.get(_search("territoires"), {"node_q": "laon"}))
    assert {int(pk) for pk, _ in found} == {tree.laon.pk, tree.circ_laon.pk}
    only_circ = _options(
        client.get(_search("territoires"), {"node_q": "laon", "role": Role.IEN_ERUN})
    )
    assert [int(pk) for pk, _ in only_circ] == [tree.circ_laon.pk]
    # Val-d'Oise is outside the coordinator's authority.
    assert _options(client.get(_search("territoires"), {"node_q": "cergy"})) == []
    assert _options(client.get(_search("territoires"), {"node_q": "95"})) == []


def test_it_finds_schools_by_name_or_uai_in_the_authority(client, coordinator, tree):
    laon = SchoolFactory(uai="0020001A", name="ECOLE DES REMPARTS", commune=tree.laon)
    SchoolFactory(uai="0951234B", name="ECOLE DES REMPARTS", commune=tree.cergy)
    assert _options(client.get(_search("etablissements"), {"school_q": "remparts"})) == [
        (laon.uai, f"{laon.name} ({laon.uai})")
    ]
    assert [
        u for u, _ in _options(client.get(_search("etablissements"), {"school_q": "0020001a"}))
    ] == [laon.uai]
    assert _options(client.get(_search("etablissements"), {"school_q": "0951234B"})) == []


@pytest.mark.parametrize("what", ["territoires", "etablissements"])
def test_an_outsider_gets_nothing(client, tree, what):
    client.force_login(user_with_role(Role.TEACHER, SchoolFactory(commune=tree.laon)))
    response = client.get(_search(what), {"node_q": "laon", "school_q": "ecole"})
    assert response.status_code == 403
    client.logout()
    assert client.get(_search(what), {"node_q": "laon"}).status_code == 302


def test_the_grant_form_has_accessible_comboboxes(client, coordinator):
    html = client.get(reverse("accounts:access_grant")).content.decode()
    for search, listbox in (("node-search", "node-listbox"), ("school-search", "school-listbox")):
        field = re.search(rf'<input[^>]*id="{search}"[^>]*>', html, re.S).group(0)
        assert 'role="combobox"' in field and 'aria-autocomplete="list"' in field
        assert f'aria-controls="{listbox}"' in field and 'aria-expanded="false"' in field
        assert "hx-get=" in field
        assert re.search(rf'<ul id="{listbox}" role="listbox"', html)
    assert "<script>" not in html  # no inline script: the CSP allows only nonced files


def test_without_javascript_the_search_filters_the_select(client, coordinator, tree):
    response = client.post(
        reverse("accounts:access_grant"),
        {"filter": "node", "node_q": "laon", "email": "x@example.org", "role": Role.TRAINER},
    )
    html = response.content.decode()
    select = re.search(r'<select name="node".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="(\d+)"', select)
    assert values == [str(tree.circ_laon.pk)]  # a trainer is granted on a circonscription
    assert 'value="x@example.org"' in html
    assert not RoleAssignment.objects.filter(user__email="x@example.org").exists()
    # Then choosing it from the filtered select grants the role.
    client.post(
        reverse("accounts:access_grant"),
        {"email": "x@example.org", "role": Role.TRAINER, "node": tree.circ_laon.pk},
    )
    assert RoleAssignment.objects.filter(
        user__email="x@example.org", role=Role.TRAINER, node=tree.circ_laon
    ).exists()
