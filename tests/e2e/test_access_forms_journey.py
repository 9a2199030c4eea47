"""The forms of « Accès » and of the login page in a real browser: the territory and school
searches with the keyboard only, the show-password control, and « Mot de passe oublié ? » from
the request to the new password. Every page passes the page checks (axe-core, reflow, French
typography)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.pages import (
    AccessGrantSearchPage,
    LoginPage,
    PasswordResetChoosePage,
    PasswordResetPage,
)
from tests.factories import Role, SchoolFactory, UserFactory, grant, territory_tree
from tne.accounts.models import RoleAssignment

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def coordinator():
    tree = territory_tree()
    user = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(user, Role.COORDINATOR, tree.aisne)
    SchoolFactory(uai="0020001A", name="ÉCOLE DES REMPARTS", commune=tree.laon)
    return user


def test_a_coordinator_finds_the_territory_and_the_school_with_the_keyboard(page, coordinator):
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)
    page.goto("/comptes/acces/ajouter/")
    granted = AccessGrantSearchPage(page).grant_on_node_by_search(
        email="ien.laon@example.org",
        role="IEN / ERUN de circonscription",
        text="laon",
        option="Circonscription — Laon",
    )
    expect(granted.outcome).to_contain_text("ien.laon@example.org a maintenant le rôle")
    assert RoleAssignment.objects.filter(
        user__email="ien.laon@example.org", role=Role.IEN_ERUN, node__code="0201"
    ).exists()

    page.goto("/comptes/acces/ajouter/?role=SCHOOL_HEAD")
    uai = AccessGrantSearchPage(page).find_school(
        text="remparts", option="ÉCOLE DES REMPARTS (0020001A)"
    )
    expect(uai).to_have_value("0020001A")


def test_a_person_shows_the_password_then_resets_it_by_email(page, coordinator):
    login = LoginPage.open(page)
    field = page.locator("#id_password")
    field.fill("secret")
    expect(field).to_have_attribute("type", "password")
    page.get_by_text("Afficher", exact=True).click()
    expect(field).to_have_attribute("type", "text")

    page.get_by_role("link", name=re.compile("Mot de passe oublié")).click()
    sent = PasswordResetPage(page).ask(coordinator.email)
    expect(sent.main).to_contain_text("Si cette adresse est celle d'un compte")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+(/comptes/mot-de-passe-oublie/\S+)", message.body).group(1)
    page.goto(link)
    login = PasswordResetChoosePage(page).choose("Un-nouveau-mot-de-passe-42")
    expect(login.main).to_contain_text("Votre mot de passe est enregistré")
    login.log_in(email=coordinator.email, password="Un-nouveau-mot-de-passe-42")
