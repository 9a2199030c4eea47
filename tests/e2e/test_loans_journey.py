"""Loans (M6), the first half of the issue's journey in a real browser: a school head declares the
needs of a class in the bulk entry, by keyboard only; the coordinator runs an allocation within a
budget, reads why a pupil was not served, and tries « what if » with 10 % more budget. Every page
passes axe-core (checked by the page objects). The hand-out, the return, the next pupil, the
dashboards and the parent's page are the second half (next journey)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import BasePage, LoginPage
from tests.equipment.factories import ensure_catalogue, price_kits
from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    grant,
    territory_tree,
)
from tests.loans.factories import NeedDeclarationFactory, PupilFactory
from tests.programme.factories import ensure_measures
from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration
from tne.territory.enums import EducationNetwork

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
TABLET_PRICE = Decimal("329.00")


class ClassNeedsPage(BasePage):
    PATH = r"/prets/classes/\d+/besoins/"


class RunNewPage(BasePage):
    PATH = r"/prets/attributions/nouvelle/"


class RunPage(BasePage):
    PATH = r"/prets/attributions/\d+/"


class DecisionsPage(BasePage):
    PATH = r"/prets/attributions/\d+/decisions/"


class DecisionPage(BasePage):
    PATH = r"/prets/decisions/\d+/"


class WhatIfPage(BasePage):
    PATH = r"/prets/attributions/\d+/simulation/"


@pytest.fixture
def people():
    ensure_measures()
    ensure_catalogue()
    models = price_kits()
    models["tablet"].unit_price = TABLET_PRICE
    models["tablet"].save(update_fields=["unit_price"])
    tree = territory_tree()
    school = SchoolFactory(
        commune=tree.laon, name="École Jean-Macé", education_network=EducationNetwork.REP_PLUS
    )
    other = SchoolFactory(commune=tree.soissons, name="École Condorcet")
    school_class = SchoolClassFactory(school=school, name="CM1 A", levels=["CM1"])
    # Nine pupils of the other school already declared, with less need than the class's.
    for n in range(9):
        NeedDeclarationFactory(
            pupil=PupilFactory(school=other, code=f"COND-{n:02d}"),
            devices_at_home=HomeDevices.SHARED,
            shared_with=1,
            internet_at_home=HomeInternet.FIXED,
        )
    head = UserFactory(email="direction.jean-mace@example.org", password=PASSWORD)
    grant(head, Role.SCHOOL_HEAD, school)
    coordinator = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(coordinator, Role.COORDINATOR, tree.aisne)
    return {"head": head, "coordinator": coordinator, "class": school_class, "tree": tree}


def _row(page, row: int, *, code: str, devices: str, internet: str, shared: str = ""):
    """One row of the bulk entry, typed as a person does: Tab from cell to cell."""
    page.get_by_label(f"Code élève, ligne {row}").fill(code)
    page.keyboard.press("Tab")
    page.get_by_label(f"Niveau, ligne {row}").select_option(label="CM1")
    page.get_by_label(f"Équipement à la maison, ligne {row}").select_option(label=devices)
    if shared:
        page.get_by_label(re.compile(rf"^Partagé avec.*ligne {row}$")).fill(shared)
    page.get_by_label(f"Internet à la maison, ligne {row}").select_option(label=internet)


def test_needs_declared_by_keyboard_then_an_explained_run_and_a_what_if(page, people):
    school_class = people["class"]
    LoginPage.open(page).log_in(email=people["head"].email, password=PASSWORD)
    page.goto(f"/prets/classes/{school_class.pk}/besoins/")
    entry = ClassNeedsPage(page)
    _row(page, 1, code="JM-01", devices="Aucun équipement", internet="Pas d'accès à internet")
    _row(page, 2, code="JM-02", devices="Aucun équipement", internet="Internet mobile seulement")
    _row(
        page,
        3,
        code="JM-03",
        devices="Équipement partagé",
        shared="2",
        internet="Internet mobile seulement",
    )
    # Enter in a text cell saves the whole table (a select keeps Enter for its list).
    with page.expect_navigation():
        page.get_by_label("Code élève, ligne 3").press("Enter")
    entry = ClassNeedsPage(page)
    assert not entry.main.locator("#entry-errors").count(), entry.main.inner_text()[:1500]
    assert NeedDeclaration.objects.filter(pupil__school_class=school_class).count() == 3
    page.context.clear_cookies()

    # The coordinator: 12 candidates in Aisne, a budget for 10 tablets.
    LoginPage.open(page).log_in(email=people["coordinator"].email, password=PASSWORD)
    page.goto(f"/prets/attributions/nouvelle/?node={people['tree'].aisne.pk}")
    form = RunNewPage(page)
    # DSFR draws the radio in its label: the label takes the click.
    form.main.locator("label", has_text="Pas de limite de stock (le budget seul)").click()
    form.main.get_by_label(re.compile(r"Budget \(€ TTC\)")).fill("3290")
    form.main.get_by_role("button", name="Lancer l'attribution").click()
    run = RunPage(page)
    run_url = page.url
    expect(run.main).to_contain_text("10")
    expect(run.main).to_contain_text("École Jean-Macé")
    run.main.get_by_role("link", name="Voir les décisions, élève par élève").click()
    decisions = DecisionsPage(page)
    # The class's three pupils come first (REP+ and no device); two of the other school do not.
    decisions.main.get_by_label("Décision").select_option(index=2)
    decisions.main.get_by_role("button", name=re.compile("Filtrer|Afficher")).click()
    decisions = DecisionsPage(page)
    decisions.main.get_by_role("link", name=re.compile(r"^COND-")).first.click()
    decision = DecisionPage(page)
    expect(decision.main).to_contain_text("Non servi")
    expect(decision.main).to_contain_text("budget")

    page.goto(run_url)
    run = RunPage(page)
    run.main.get_by_role("link", name=re.compile("Et si")).click()
    what_if = WhatIfPage(page)
    what_if.main.get_by_role("link", name=re.compile(r"10\s% de budget en plus")).click()
    what_if = WhatIfPage(page)
    outcome = what_if.main.locator("#what-if-outcome")
    expect(outcome).to_contain_text("11 au lieu de 10")
    # The one pupil more is of the other school (the class's three were already served).
    expect(outcome.locator("#what-if-schools")).to_contain_text("École Condorcet")
    assert NeedDeclaration.objects.count() == 12  # nothing written by the simulation
