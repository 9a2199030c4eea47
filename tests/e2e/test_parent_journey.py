"""A parent, in a real browser: log in, see the card of their child's school on the home page,
open its page; no IPS, no export, no territory browser, no API tokens. Every page visited
passes axe-core (WCAG 2.1 A/AA)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.pages import LoginPage, SchoolPage
from tests.factories import Role, UserFactory, grant
from tne.territory.importers import import_file
from tne.territory.models import School

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
BERNY_UAI = "0020098W"  # ECOLE PRIMAIRE, Berny-Rivière (Aisne)


@pytest.fixture
def parent():
    folder = settings.DATA_DIR / "opendata" / "dep02_dep95"
    for name in [
        "communes_dep02_dep95_2018_centroides.csv",
        "ips_ecoles_2021-2022_dep02_dep95.csv",
    ]:
        import_file(folder / name)
    user = UserFactory(email="parent.berny@example.org", password=PASSWORD)
    grant(user, Role.PARENT, School.objects.get(uai=BERNY_UAI))
    return user


def test_a_parent_sees_their_childs_school_and_nothing_of_the_steering_tool(page, parent):
    dashboard = LoginPage.open(page).log_in(email=parent.email, password=PASSWORD)

    card = dashboard.main.locator(f"#own-school-{BERNY_UAI}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("ECOLE PRIMAIRE")
    expect(card).to_contain_text("Berny-Rivière")
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link", name="Territoire")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Établissements")).to_have_count(0)
    expect(page.get_by_role("link", name="Jetons d'API")).to_have_count(0)
    expect(dashboard.main).not_to_contain_text("Collèges")

    card.get_by_role("link").click()
    school = SchoolPage(page)
    expect(school.identity("UAI")).to_have_text(BERNY_UAI)
    expect(school.page.locator("th", has_text="IPS")).to_have_count(0)
    expect(school.main).not_to_contain_text("Exporter")

    for path in ["/territoire/etablissements/export.csv", "/territoire/", "/comptes/jetons/"]:
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert_accessible(page)
