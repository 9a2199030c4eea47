"""Each role's pages show what it needs: a parent their child's school, without IPS, exports or
the territory browser; a teacher their school and its classes; the steering roles the browser,
the IPS and the exports; API tokens only for the roles that may use the API."""

import re

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tests.territory.factories_browse import build_world, people
from tne.accounts.services import create_api_token

HOME = "/"


@pytest.fixture
def world(tree):
    return build_world(tree)


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="fr-nav".*?</nav>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r'class="fr-nav__link"[^>]*>([^<]+)<', nav)]


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_a_parent_lands_on_their_loan_page_and_gets_no_steering_entry(client, world):
    """Loans (M6): an account whose only role is « Parent » opens « Mon prêt » only
    (``tne.loans.family_access``); before M6 it saw the card of its child's school."""
    parent, _ = people(world)["parent"]
    client.force_login(parent)

    response = client.get(HOME, follow=True)
    html = response.content.decode()

    assert response.redirect_chain == [(reverse("loans:family"), 302)]
    assert nav_labels(html) == ["Mon prêt"]
    assert "Jetons d&#x27;API" not in html and "/comptes/jetons/" not in html
    assert 'href="/territoire/"' not in html  # No « Parcourir » tiles.


def test_a_parent_sees_no_ips_and_no_people_on_the_school_page(client, world):
    parent, _ = people(world)["parent"]
    client.force_login(parent)

    response = client.get(reverse("territory:school_detail", args=[world.soissons_ecole.uai]))
    html = response.content.decode()

    assert response.status_code == 403  # loans (M6): « Mon prêt » only

    assert ">IPS<" not in html
    assert "112,3" not in html and "112.3" not in html
    assert "Historique des modifications" not in html
    assert "/territoire/departements/" not in html  # Neither map nor département links.


@pytest.mark.parametrize(
    "url",
    [
        reverse("territory:index"),
        reverse("territory:school_list"),
        reverse("territory:departement", args=["02"]),
        reverse("territory:departement_map", args=["02"]),
        reverse("territory:school_export", args=["csv"]),
        reverse("territory:school_export", args=["xlsx"]),
        reverse("accounts:api_tokens"),
    ],
)
def test_a_parent_gets_403_on_the_steering_pages(client, world, url):
    parent, _ = people(world)["parent"]

    assert page(client, parent, url).status_code == 403


def test_a_teacher_sees_their_school_and_its_classes(client, world):
    teacher, _ = people(world)["teacher"]
    school = world.cergy_ecole

    home = page(client, teacher, HOME).content.decode()
    assert f'id="own-school-{school.uai}"' in home
    assert nav_labels(home) == ["Tableau de bord"]

    html = client.get(reverse("territory:school_detail", args=[school.uai])).content.decode()
    assert "Liste des classes (1)" in html
    assert ">IPS<" not in html


def test_an_empty_kind_of_school_is_not_counted_on_the_dashboard(client, world):
    teacher, _ = people(world)["teacher"]  # one école (a parent now lands on « Mon prêt »)

    html = page(client, teacher, HOME).content.decode()

    assert "Écoles" in html
    assert "Collèges" not in html
    assert "Lycées" not in html


def test_the_school_history_speaks_plainly_to_a_teacher(client, world):
    from tne.core import audit
    from tne.core.audit import AuditAction

    teacher, _ = people(world)["teacher"]
    audit.record(world.cergy_ecole, AuditAction.UPDATE, changes={"name": ["A", "B"]})

    html = page(
        client, teacher, reverse("territory:school_detail", args=[world.cergy_ecole.uai])
    ).content.decode()

    assert "Historique des modifications" in html
    assert "Système" not in html
    assert "Ligne de commande" not in html


def test_a_coordinator_sees_the_ips_the_exports_and_the_browser(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    html = page(client, coordinator, reverse("territory:school_list")).content.decode()

    assert nav_labels(html)[:3] == ["Tableau de bord", "Territoire", "Établissements"]
    assert 'id="sort-ips"' in html
    assert 'id="exports"' in html
    assert "/comptes/jetons/" in html


def test_a_local_authority_officer_browses_and_exports_without_ips(client, world):
    officer, _ = people(world)["local authority officer of Laon"]

    html = page(client, officer, reverse("territory:school_list")).content.decode()

    assert 'id="exports"' in html
    assert 'id="sort-ips"' not in html
    assert 'name="ips_min"' not in html
    # An IPS bound in the URL filters nothing for them: it is not theirs to filter on.
    response = client.get(reverse("territory:school_list"), {"ips_min": "200"})
    assert response.context["page_obj"].paginator.count == len(
        people(world)["local authority officer of Laon"][1]
    )


def test_an_ien_filters_their_list_by_circonscription(client, world):
    ien, expected = people(world)["IEN of the Laon circonscription"]

    response = page(client, ien, reverse("territory:school_list"))

    html = response.content.decode()
    assert 'name="circonscription"' in html
    assert '<option value="0201">Laon (0201)</option>' in html
    assert "9501" not in html  # Not the circonscriptions of another département.
    filtered = client.get(reverse("territory:school_list"), {"circonscription": "0201"})
    assert {s.uai for s in filtered.context["page_obj"].object_list} == expected


def test_the_departement_page_lists_its_circonscriptions(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    html = page(client, coordinator, reverse("territory:departement", args=["02"])).content.decode()

    assert 'id="circonscriptions"' in html
    assert "?departement=02&amp;circonscription=0201" in html


@pytest.mark.parametrize("role", ["parent", "teacher", "trainer of the Laon circonscription"])
def test_roles_that_may_not_use_the_api_get_403_on_the_tokens_page(client, world, role):
    user, _ = people(world)[role]

    response = page(client, user, reverse("accounts:api_tokens"))

    assert response.status_code == 403
    assert "/comptes/jetons/" not in client.get(HOME).content.decode()


def test_a_school_head_may_hold_api_tokens_to_sign_installations(client, world):
    user, _ = people(world)["school head"]

    assert page(client, user, reverse("accounts:api_tokens")).status_code == 200
    assert "/comptes/jetons/" in client.get(HOME).content.decode()


def test_the_api_refuses_the_token_of_an_owner_who_lost_the_permission(client, world):
    from tne.accounts.models import RoleAssignment

    user = user_with_role(Role.COORDINATOR, world.tree.aisne)
    _, raw = create_api_token(user=user, name="Script")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/schools", headers=headers).status_code == 200

    RoleAssignment.objects.filter(user=user).update(
        role=Role.PARENT, node=None, school=world.soissons_ecole
    )

    response = client.get("/api/v1/schools", headers=headers)
    assert response.status_code == 401
    assert "ne permet plus" in response.content.decode()
