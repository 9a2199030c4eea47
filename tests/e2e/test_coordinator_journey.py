"""A coordinator of Aisne, in a real browser: log in, read the dashboard, find a real école by
its UAI, open its page; sort and filter the list, see the errors of wrong IPS bounds, go back
with the form following; reach a school from the map with the keyboard; and the same
coordinator gets the 404 page on a Val-d'Oise school.
Every page visited passes axe-core (WCAG 2.1 A/AA) and no request leaves the live server."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, save_screenshot
from tests.e2e.pages import LoginPage, MapPage, NotFoundPage, SchoolListPage, SchoolPage
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


def test_a_coordinator_sorts_and_filters_the_list_and_goes_back(page, coordinator):
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)
    schools = SchoolListPage.open(page)

    by_ips = schools.sort_by("IPS")
    expect(by_ips.sorted_column()).to_have_attribute("aria-sort", "ascending")
    expect(by_ips.sorted_column()).to_contain_text("IPS")
    reversed_ips = by_ips.sort_by("IPS")
    expect(reversed_ips.sorted_column()).to_have_attribute("aria-sort", "descending")

    colleges = reversed_ips.choose("Type", "École primaire")
    expect(colleges.page).to_have_url(re.compile(r"kind=PRIMAIRE"))
    expect(colleges.page).to_have_url(re.compile(r"tri=-ips"))  # The sort is kept.

    # Invalid IPS bounds: the errors are shown in the swapped form, no export offered.
    colleges.page.get_by_label("IPS minimum").fill("120")
    colleges.page.get_by_label("IPS maximum").fill("80")
    colleges.page.get_by_role("button", name="Rechercher").click()
    expect(colleges.page.locator("#filter-errors")).to_be_visible()
    expect(colleges.page.locator("#exports")).to_have_count(0)
    assert_accessible(colleges.page)

    # « Précédent »: the list and the form both come back to the previous address.
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Type", exact=True)).to_have_value("PRIMAIRE")
    expect(page.get_by_label("IPS minimum")).to_have_value("")
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Type", exact=True)).to_have_value("")
    assert_accessible(page)


def test_a_coordinator_reaches_a_school_from_the_map_with_the_keyboard(page, coordinator):
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)
    school_map = MapPage.open(page, "02")

    first = school_map.points.first
    first.focus()
    expect(first).to_be_focused()
    name = first.get_attribute("aria-label")
    page.keyboard.press("Enter")
    school = SchoolPage(page)
    expect(school.heading).to_contain_text(name.split(" (")[0])


def test_an_aisne_coordinator_gets_the_404_page_on_a_val_d_oise_school(page, coordinator):
    school_of_95 = School.objects.get(uai=ARGENTEUIL_UAI)
    LoginPage.open(page).log_in(email=coordinator.email, password=PASSWORD)

    not_found = NotFoundPage.open(page, f"/territoire/etablissements/{ARGENTEUIL_UAI}/")

    expect(not_found.heading).to_have_text("Page non trouvée")
    expect(not_found.main).not_to_contain_text(school_of_95.name)
