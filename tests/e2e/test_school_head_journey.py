"""A school head, in a real browser: log in, see their school first on the home page, open its
page (IPS, classes, the staff list, its history), then the history of their territory; no
territory browser, no exports, no API tokens. Every page visited passes axe-core (WCAG 2.1 A/AA
and best practices), fits 1280 and 375 px without a horizontal scroll and follows French
typography (checked by the page objects)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.pages import BasePage, LoginPage, SchoolPage
from tests.factories import Role, StaffFactory, UserFactory, grant
from tne.territory.importers import import_file
from tne.territory.models import School

pytestmark = pytest.mark.e2e


class HistoryPage(BasePage):
    PATH = r"/territoire/historique/"


PASSWORD = "motdepasse-de-test"
BERNY_UAI = "0020098W"  # ECOLE PRIMAIRE, Berny-Rivière (Aisne)


@pytest.fixture
def head():
    folder = settings.DATA_DIR / "opendata" / "dep02_dep95"
    for name in [
        "communes_dep02_dep95_2018_centroides.csv",
        "ips_ecoles_2021-2022_dep02_dep95.csv",
    ]:
        import_file(folder / name)
    school = School.objects.get(uai=BERNY_UAI)
    StaffFactory(school=school, first_name="Inès", last_name="Marchal")
    user = UserFactory(email="direction.berny@example.org", password=PASSWORD)
    grant(user, Role.SCHOOL_HEAD, school)
    return user


def test_a_school_head_works_with_their_school_and_not_the_steering_tool(page, head):
    dashboard = LoginPage.open(page).log_in(email=head.email, password=PASSWORD)

    card = dashboard.main.locator(f"#own-school-{BERNY_UAI}")
    expect(card).to_contain_text("Direction d'école ou d'établissement")
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link", name="Territoire")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Historique")).to_have_count(1)
    # A school head may hold API tokens (they sign installations through the API too).
    expect(page.get_by_role("link", name="Jetons d'API")).to_have_count(1)

    card.get_by_role("link").click()
    school = SchoolPage(page)
    expect(school.identity("UAI")).to_have_text(BERNY_UAI)
    expect(school.identity("IPS")).not_to_be_empty()
    expect(school.main).to_contain_text("Marchal")
    expect(school.main).not_to_contain_text("Exporter")

    # On a phone the tables scroll sideways inside their frame, which a keyboard can reach.
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    navigation.get_by_role("link", name="Historique").click()
    history = HistoryPage(page)
    expect(history.heading).to_have_text("Historique du territoire")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    for path in ["/territoire/etablissements/export.csv", "/territoire/"]:
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert_accessible(page)
