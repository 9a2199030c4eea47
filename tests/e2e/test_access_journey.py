"""A coordinator of Aisne gives a school head's role to a newcomer in a real browser, the
newcomer chooses a password through the one-time link sent to them by e-mail and logs in, then
the coordinator withdraws the role after confirming. Every page visited passes axe-core (WCAG 2.1
A/AA)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot
from tests.e2e.pages import AccessListPage, LoginPage, PasswordSetPage
from tests.factories import Role, SchoolFactory, UserFactory, grant, territory_tree
from tne.accounts.models import RoleAssignment

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
NEWCOMER = "direction.laon@example.org"


@pytest.fixture
def coordinator():
    tree = territory_tree()
    user = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(user, Role.COORDINATOR, tree.aisne)
    SchoolFactory(uai="0020001A", name="ÉCOLE DES REMPARTS", commune=tree.laon)
    return user


def test_a_coordinator_gives_a_role_to_a_newcomer_then_withdraws_it(page, coordinator, settings):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"  # the invitation through Django's mail outbox
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)
    access = AccessListPage.open(page)
    expect(access.row_of(coordinator.email)).to_contain_text("Coordination")

    granted = access.add().grant_on_school(
        email=NEWCOMER, role="Direction d'école ou d'établissement", uai="0020001a"
    )
    expect(granted.outcome).to_contain_text(f"{NEWCOMER} a maintenant le rôle")
    expect(granted.outcome).to_contain_text("ÉCOLE DES REMPARTS")
    save_screenshot(page, "access-granted")
    # The link goes to the newcomer's address (the live server shares this process's outbox).
    (message,) = [m for m in mail.outbox if m.to == [NEWCOMER]]
    link = re.search(r"(http://\S+/comptes/mot-de-passe/\S+)", message.body).group(1)

    # The newcomer, in another browser context, opens the link and chooses a password.
    newcomer_page = page.context.browser.new_page(base_url=link.split("/comptes/")[0])
    try:
        newcomer_page.goto(link)
        login = PasswordSetPage(newcomer_page).choose("Un-mot-de-passe-solide-42")
        dashboard = login.log_in(email=NEWCOMER, password="Un-mot-de-passe-solide-42")
        expect(dashboard.page.locator("header")).to_contain_text("Direction")
    finally:
        newcomer_page.close()

    access = granted.back_to_list()
    expect(access.row_of(NEWCOMER)).to_contain_text("Direction d'école ou d'établissement")
    after = access.withdraw(NEWCOMER).confirm()
    expect(after.row_of(NEWCOMER)).to_have_count(0)
    assert not RoleAssignment.objects.filter(user__email=NEWCOMER).exists()
