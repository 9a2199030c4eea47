"""The page shell and the public pages: legal mentions and the accessibility statement are read
without logging in; the header says who is logged in, with which role, and the navigation shows
only what exists."""

import pytest
from django.urls import reverse

from tests.factories import Role, UserFactory, user_with_role


def test_the_legal_page_is_public_and_names_the_data_sources_and_licences(client, db):
    response = client.get(reverse("core:legal"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Mentions légales</h1>" in html
    assert "Licence Ouverte / Etalab 2.0" in html
    assert "IGN" in html
    assert "logiciel libre" in html
    assert 'id="donnees-personnelles"' in html
    assert "synthétiques" in html


def test_the_accessibility_statement_is_public_and_says_non_conforme(client, db):
    response = client.get(reverse("core:accessibility"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    assert "<strong>non conforme</strong>" in html
    assert "RGAA" in html
    assert 'id="retour-information"' in html
    assert "Défenseur des droits" in html


@pytest.mark.parametrize("name", ["core:legal", "core:accessibility"])
def test_the_footer_links_to_the_legal_and_accessibility_pages(client, db, name):
    html = client.get(reverse(name)).content.decode()

    assert f'href="{reverse("core:legal")}"' in html
    assert f'href="{reverse("core:accessibility")}"' in html
    assert "Accessibilité&nbsp;: non conforme" in html


def test_an_anonymous_visitor_sees_no_navigation_nor_role(client, db):
    html = client.get(reverse("core:legal")).content.decode()

    assert 'id="navigation"' not in html
    assert 'id="current-role"' not in html


def test_the_header_shows_the_user_and_the_role_with_its_scope(client, tree):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(user)

    html = client.get(reverse("core:legal")).content.decode()

    assert 'id="current-role"' in html
    assert user.get_full_name() in html
    assert "Coordination académique ou départementale — Aisne (02)" in html
    assert "Territoires numériques éducatifs" in html


def test_the_header_says_when_no_role_is_granted(client, db):
    client.force_login(UserFactory())

    assert "Aucun rôle attribué" in client.get(reverse("core:legal")).content.decode()


def test_the_navigation_lists_what_exists_and_marks_the_current_page(client, tree):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    html = client.get(reverse("territory:index")).content.decode()

    nav = html[html.index('id="navigation"') : html.index("</nav>", html.index('id="navigation"'))]
    assert f'href="{reverse("home")}">Tableau de bord</a>' in nav
    assert f'href="{reverse("territory:index")}" aria-current="page">Territoire</a>' in nav
    assert f'href="{reverse("territory:school_list")}">Établissements</a>' in nav
    assert f'href="{reverse("territory:import_upload")}">Imports</a>' in nav
    assert f'href="{reverse("territory:history")}">Historique</a>' in nav
    assert f'href="{reverse("accounts:access_list")}">Accès</a>' in nav
    assert f'href="{reverse("programme:index")}">Programme</a>' in nav
    assert f'href="{reverse("equipment:index")}">Équipement</a>' in nav
    assert f'href="{reverse("core:messages")}">Messages</a>' in nav
    assert f'href="{reverse("loans:index")}">Prêts (M6)</a>' in nav
    assert nav.count('class="fr-nav__item"') == 10


def test_the_imports_link_is_shown_only_to_roles_that_may_import(client, tree):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    assert "/territoire/imports/" in client.get("/").content.decode()

    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))
    page = client.get("/").content.decode()
    assert "/territoire/imports/" not in page
    assert "/comptes/jetons/" in page  # A technician may use the API.


def test_the_favicon_is_served_from_our_own_static_files(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].startswith("/static/dsfr/")


def test_the_access_entry_is_shown_only_to_those_who_manage_access(client, tree):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    trainer = user_with_role(Role.TRAINER, tree.aisne)

    client.force_login(coordinator)
    assert 'href="/comptes/acces/"' in client.get("/").content.decode()
    client.force_login(trainer)
    assert 'href="/comptes/acces/"' not in client.get("/").content.decode()


def test_the_legal_page_names_the_operator_director_and_host_the_instance_declares(
    client, db, settings
):
    settings.TNE_OPERATOR = "Rectorat de l'académie d'Amiens"
    settings.TNE_PUBLICATION_DIRECTOR = "Le recteur de l'académie d'Amiens"
    settings.TNE_HOST_PROVIDER = "Hébergeur public, 1 rue de l'Exemple, 80000 Amiens"
    settings.TNE_CONTACT_EMAIL = "tne@ac-amiens.example"

    html = client.get(reverse("core:legal")).content.decode()

    assert "Rectorat de l&#x27;académie d&#x27;Amiens" in html
    assert "Le recteur de l&#x27;académie d&#x27;Amiens" in html
    assert "1 rue de l&#x27;Exemple" in html
    assert 'href="mailto:tne@ac-amiens.example"' in html
    assert 'id="operator-missing"' not in html


def test_an_instance_that_declared_nothing_says_so_instead_of_inventing(client, db, settings):
    settings.TNE_OPERATOR = settings.TNE_PUBLICATION_DIRECTOR = settings.TNE_HOST_PROVIDER = ""
    settings.TNE_ACCESSIBILITY_STATEMENT_DATE = ""

    legal = client.get(reverse("core:legal")).content.decode()
    statement = client.get(reverse("core:accessibility")).content.decode()

    assert legal.count("non déclaré") == 4 and 'id="operator-missing"' in legal
    assert "TNE_ACCESSIBILITY_STATEMENT_DATE" not in statement
    assert "date non déclarée par l" in statement


def test_the_accessibility_statement_gives_its_date_and_contact(client, db, settings):
    settings.TNE_ACCESSIBILITY_STATEMENT_DATE = "28 novembre 2026"
    settings.TNE_CONTACT_EMAIL = "tne@ac-amiens.example"

    html = client.get(reverse("core:accessibility")).content.decode()

    assert "établie le 28 novembre 2026" in html
    assert 'href="mailto:tne@ac-amiens.example"' in html
