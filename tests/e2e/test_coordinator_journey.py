"""A coordinator of Aisne, in a real browser: log in, read the dashboard, find a real école by
its UAI, open its page; and the same coordinator gets the 404 page on a Val-d'Oise school.
Every page visited passes axe-core (WCAG 2.1 A/AA) and no request leaves the live server."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, save_screenshot
from tests.e2e.pages import LoginPage, NotFoundPage
from tests.factories import Role, SchoolClassFactory, StaffFactory, UserFactory, grant
from tne.territory.enums import NodeKind, Stage
from tne.territory.importers import import_file
from tne.territory.models import School, TerritoryNode

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
# Real figures of the open-data file of écoles with their IPS (2021-2022).
AISNE_ECOLES = 349
BERNY_UAI = "0020098W"  # ECOLE PRIMAIRE, Berny-Rivière (Aisne)
BERNY_IPS = "96,1"
ARGENTEUIL_UAI = "0950062B"  # ECOLE ELEMENTAIRE PAUL VAILLANT COUTURIER 2 (Val-d'Oise)
OPEN_DATA_FILES = [
    "communes_dep02_dep95_2018_centroides.csv",
    "ips_ecoles_2021-2022_dep02_dep95.csv",
]


@pytest.fixture
def territory():
    """The real communes and écoles (with IPS) of Aisne and Val-d'Oise, through the importer."""
    folder = settings.DATA_DIR / "opendata" / "dep02_dep95"
    for name in OPEN_DATA_FILES:
        import_file(folder / name)
    return TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="02")


@pytest.fixture
def coordinator(territory):
    """A coordinator of Aisne, known by email and password, and three classes at Berny-Rivière."""
    user = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(user, Role.COORDINATOR, territory)
    school = School.objects.get(uai=BERNY_UAI)
    for name, level in [("CP", "CP"), ("CE1-CE2", "CE1"), ("CM1-CM2", "CM2")]:
        SchoolClassFactory(school=school, name=name, levels=[level], stage=Stage.ELEMENTARY)
        StaffFactory(school=school)
    return user


def test_a_coordinator_finds_a_school_of_aisne_by_its_uai(page, coordinator):
    assert School.objects.filter(departement__code="02").count() == AISNE_ECOLES

    page.goto("/")
    login = LoginPage(page)  # redirected: every page needs a session

    dashboard = login.log_in(email=coordinator.email, password=PASSWORD)
    assert dashboard.figure("Établissements") == str(AISNE_ECOLES)
    assert dashboard.figure("Écoles") == str(AISNE_ECOLES)

    second_page = dashboard.go_to_schools().next_page()
    expect(second_page.main.locator("#school-table")).to_be_focused()

    schools = second_page.search(BERNY_UAI)
    expect(schools.result_count).to_have_text("1 établissement.")
    expect(schools.rows).to_have_count(1)
    expect(schools.rows.first).to_contain_text("ECOLE PRIMAIRE")

    school = schools.open_school(BERNY_UAI)
    expect(school.heading).to_contain_text("ECOLE PRIMAIRE")
    expect(school.identity("UAI")).to_have_text(BERNY_UAI)
    expect(school.identity("IPS")).to_contain_text(BERNY_IPS)
    school.page.get_by_role("button", name="Liste des personnels (3)").click()
    expect(school.page.locator("#staff-table tbody tr")).to_have_count(3)
    assert_accessible(school.page)
    save_screenshot(page, "school-page")


def test_an_aisne_coordinator_gets_the_404_page_on_a_val_d_oise_school(page, coordinator):
    school_of_95 = School.objects.get(uai=ARGENTEUIL_UAI)
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)

    not_found = NotFoundPage.open(page, f"/territoire/etablissements/{ARGENTEUIL_UAI}/")

    expect(not_found.heading).to_have_text("Page non trouvée")
    expect(not_found.main).not_to_contain_text(school_of_95.name)
