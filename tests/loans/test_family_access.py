"""A parent sees « Mon prêt » and nothing else: the home page sends them there, the navigation
shows only « Mon prêt », every other page and API route answers 403 (their own school's page
too), public pages stay public. A person who is also an agent keeps the agent's pages."""

import json
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import Role, grant, user_with_role
from tne.core import registry
from tne.core.registry import nav_for
from tne.loans.family_access import is_family_only
from tne.loans.services.families import link_parent

from .dashboard_factories import pilot


@pytest.fixture
def p(tree):
    return pilot(tree)


@pytest.fixture
def parent(p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    outcome = link_parent(actor=head, pupil=p.pupils["A1"], email="parent@example.org")
    user = outcome.link.user
    user.set_password("motdepasse-de-test")
    user.save(update_fields=["password"])
    return type(user).objects.get(pk=user.pk)


def _nav_labels(client, url):
    response = client.get(url)
    return response, [item["label"] for item in nav_for(response.wsgi_request)]


def test_a_parent_is_family_only_and_an_agent_is_not(p, parent):
    assert is_family_only(parent)
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    grant(head, Role.PARENT, p.cergy)
    assert not is_family_only(head)
    assert not is_family_only(user_with_role(Role.TEACHER, p.laon_a))


def test_the_home_page_sends_a_parent_to_their_page(client, parent):
    client.force_login(parent)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("loans:family")
    response, labels = _nav_labels(client, reverse("loans:family"))
    assert response.status_code == 200
    assert labels == ["Mon prêt"]


def test_every_other_page_is_refused_to_a_parent(client, p, parent):
    client.force_login(parent)
    for url in (
        reverse("loans:index"),
        reverse("loans:dashboard"),
        reverse("loans:loans_export", args=["csv"]),
        reverse("territory:school_detail", args=[p.laon_a.uai]),
        reverse("programme:index"),
        reverse("accounts:api_tokens"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Votre compte de parent donne accès à la page" in unescape(response.content.decode())
    assert client.get(reverse("core:legal")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_the_api_answers_a_parent_on_their_route_only(client, p, parent):
    client.force_login(parent)
    for path in ("/api/v1/me", "/api/v1/schools", "/api/v1/loans/dashboard/DEPARTEMENT/02"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response["Content-Type"].startswith("application/json")
        assert "Mon prêt" in json.loads(response.content)["detail"]
    response = client.get("/api/v1/loans/family")
    assert response.status_code == 200
    [child] = response.json()
    assert child["school"]["name"] == "ECOLE LAON A"
    assert child["school"]["contact"] == "La direction de l'école"
    [loan] = child["loans"]
    assert loan["asset_tag"] == "TNE-PRET-A1" and loan["overdue"] is True
    assert loan["status"] == {"code": "ACTIVE", "label": "En cours"}
    assert "Camille" not in response.content.decode()


def test_an_agent_who_is_a_parent_elsewhere_keeps_the_agents_pages(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    cergy_head = user_with_role(Role.SCHOOL_HEAD, p.cergy)
    link_parent(actor=cergy_head, pupil=p.pupils["C1"], email=head.email)
    client.force_login(head)
    response, labels = _nav_labels(client, reverse("home"))
    assert response.status_code == 200
    assert labels[0] == "Tableau de bord" and "Prêts (M6)" in labels and labels[-1] == "Mon prêt"
    assert client.get(reverse("territory:school_detail", args=[p.laon_a.uai])).status_code == 200
    response = client.get("/api/v1/loans/family")
    assert [child["school"]["name"] for child in response.json()] == ["ECOLE CERGY"]


def test_the_family_route_is_for_parents(client, p):
    client.force_login(p.coordinator)
    assert client.get("/api/v1/loans/family").status_code == 403


# --- The pages open to a family-only account are a registry hook (``core.registry.parent_page``):
# loans registers « Mon prêt », its agreement and its API route; a later app (the parents'
# training of M2) registers its own pages the same way, without editing the loans' middleware.


def test_loans_registers_the_family_pages_and_logging_out_stays_open(client, parent):
    assert {"loans:family", "loans:family_agreement", "api:family_loans"} <= (
        registry.parent_pages()
    )
    client.force_login(parent)

    assert client.get(reverse("loans:family")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code in (200, 302)


def test_a_page_another_app_registers_opens_to_parents_and_closes_again(client, p, parent):
    # Their school's page, which their role reads (``territory.view_schools``), stands for the
    # page of a later app for parents.
    page = reverse("territory:school_detail", args=[p.laon_a.uai])
    client.force_login(parent)
    before = client.get(page).status_code

    registry.parent_page("territory:school_detail")
    try:
        opened = client.get(page).status_code
    finally:
        registry.unregister_parent_page("territory:school_detail")

    assert (before, opened) == (403, 200)
    assert client.get(page).status_code == 403
