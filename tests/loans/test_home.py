"""The loans home page and the shell entries: a tile per area the user may open, only for the
pages that exist (an area not merged yet is left out), a tile per school for a school head; the
« Prêts (M6) » entry for who holds a loans permission; 403 for the others."""

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.core.registry import nav_for
from tne.loans.views.home import tiles_for

from .dashboard_factories import pilot


@pytest.fixture
def p(tree):
    return pilot(tree)


def _labels(user):
    return {title: [tile["label"] for tile in tiles] for title, tiles in tiles_for(user)}


def test_each_role_gets_its_tiles(p):
    assert _labels(p.coordinator) == {
        "Suivre": ["Tableau de bord des prêts", "Prêts en retard"],
        "Attribuer": ["Attributions", "Listes d'attente", "Règles de priorité et quotas"],
        "Exporter": ["Déclarations de besoin", "Prêts"],
    }
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    labels = _labels(head)
    assert labels["À l'école"] == [
        "Élèves et besoins — ECOLE LAON A",
        "Guichet des prêts",
    ]
    [pupils] = [t for _, tiles in tiles_for(head) for t in tiles if t["label"].startswith("Élèves")]
    assert pupils["url"] == f"/prets/ecoles/{p.laon_a.pk}/eleves/"
    technician = user_with_role(Role.TECHNICIAN, p.tree.aisne)
    assert _labels(technician) == {
        "Suivre": ["Prêts en retard"],
        "À l'école": ["Guichet des prêts"],
    }
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    assert _labels(evaluator) == {"Suivre": ["Tableau de bord des prêts"]}


def test_the_page_and_who_may_open_it(client, p):
    client.force_login(p.coordinator)
    response = client.get(reverse("loans:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("loans:dashboard")}"' in html
    assert f'href="{reverse("loans:proposals")}"' in html
    assert f'href="{reverse("loans:declarations_export", args=["csv"])}"' in html
    for role, place in ((Role.TEACHER, p.laon_a), (Role.TRAINER, p.tree.aisne)):
        client.force_login(user_with_role(role, place))
        assert client.get(reverse("loans:index")).status_code == 403


def test_the_nav_entry_for_who_holds_a_loans_permission(client, p):
    client.force_login(p.coordinator)
    response = client.get(reverse("loans:dashboard"))
    entries = {e["label"]: e for e in nav_for(response.wsgi_request)}
    assert entries["Prêts (M6)"]["current"] and "Mon prêt" not in entries
    client.force_login(user_with_role(Role.TEACHER, p.laon_a))
    response = client.get(reverse("home"))
    assert "Prêts (M6)" not in [e["label"] for e in nav_for(response.wsgi_request)]


def test_the_home_makes_a_fixed_number_of_queries(client, p, django_assert_max_num_queries):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    client.force_login(head)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("loans:index")).status_code == 200
