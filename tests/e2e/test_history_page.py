"""A coordinator of Aisne opens « Historique » from the navigation, in a real browser: the
change of a teacher made in the admin reads in French with the teacher's current name (never
stored in the trail), the page passes axe-core (WCAG 2.1 A/AA). At 375 pixels the table scrolls
sideways like every DSFR table of the site (its container is not focusable yet: left to the
table frame of core, for all tables at once)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.pages import BasePage, LoginPage
from tests.factories import Role, SchoolFactory, StaffFactory, UserFactory, grant
from tne.core.models import AuditSource
from tne.territory import services

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"


class HistoryPage(BasePage):
    PATH = r"/territoire/historique/"


@pytest.fixture
def coordinator(tree):
    user = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(user, Role.COORDINATOR, tree.aisne)
    staff = StaffFactory(school=SchoolFactory(commune=tree.laon), first_name="Ana", last_name="Lys")
    services.staff_update(
        staff=staff,
        values={"last_name": "Lys-Martin", "is_new_teacher": True},
        actor=user,
        source=AuditSource.ADMIN,
    )
    return user


def test_a_coordinator_reads_the_history_of_their_territory(page, coordinator):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    LoginPage(page).log_in(email=coordinator.email, password=PASSWORD)
    page.get_by_role("link", name="Historique", exact=True).click()

    history = HistoryPage(page)
    row = history.main.locator("#history-table tbody tr").filter(has_text="Lys-Martin")
    expect(row).to_contain_text("Modification — personnel : Ana Lys-Martin")
    expect(row).to_contain_text("nom : modifié")
    expect(row).to_contain_text("nouveau professeur : non → oui")
    assert_accessible(page)
