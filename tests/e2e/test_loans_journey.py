"""Loans (M6), the issue's acceptance journey in a real browser, as one story of three people,
each in their own browser: the head of École Jean-Macé (Laon), the coordinator of Aisne, and a
parent of a pupil of the school.

1. The head declares the needs of a class in the bulk entry, by keyboard only.
2. The coordinator runs an allocation within a budget, reads why a pupil was not served, tries
   « what if » with 10 % more budget, then applies the run: the offers are made.
3. The head records the family's acceptance on the loan's page (reached from the pupil's page);
   at the counter (« Guichet »), scans a tablet in stock at the school and chooses the pupil; the
   guardian reads the convention (its PDF), signs it (typed name, consent, a drawn signature) and
   the device is handed out. The loan is « En cours », the signed convention downloads as a PDF;
   the coordinator's M6 dashboard of Aisne moves (active +1, equipped +1, stock −1).
4. The head links the parent's account to the pupil; the parent chooses a password through the
   one-time link of the e-mail and sees « Mon prêt »: the device, the return date, the signed
   convention, whom to contact.
5. The return at the counter: scan, condition, the guardian's signature; the device is back in
   stock at the school. The coordinator confirms, in « Propositions à confirmer », the offer of
   it to the next pupil on the school's waiting list; the dashboard moves again (active −1,
   stock +1, one more pupil served, one fewer waiting); the parent reads that the loan is over.

Every page and every state of the counter passes axe-core (WCAG 2.1 A/AA and best practices),
fits 1280 and 375 px without horizontal scrolling and follows French typography (the page
objects check it); no request leaves the live server. With ``TNE_E2E_SCREENSHOTS=1``, the
counter's hand-out and return, the dashboard and « Mon prêt » are shot at both widths into
``var/screenshots/loans/``."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, assert_accessible
from tests.e2e.pages import (
    BasePage,
    FamilyPage,
    LoansDashboardPage,
    LoginPage,
    PageAt,
    PasswordSetPage,
    assert_pdf,
    shoot,
)
from tests.equipment.factories import AssetFactory, ensure_catalogue, price_kits
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
from tne.equipment.enums import AssetState
from tne.loans.enums import HomeDevices, HomeInternet, LoanStatus
from tne.loans.models import Loan, NeedDeclaration
from tne.territory.enums import EducationNetwork

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
TABLET_PRICE = Decimal("329.00")
TABLETS = ["TNE-JM-001", "TNE-JM-002", "TNE-JM-003"]
PARENT = "parent.jm-01@example.org"
PARENT_PASSWORD = "Un-mot-de-passe-solide-42"
GUARDIAN = "Camille Martin"
SHOTS = "loans"
# The pages of the journey with no method of their own, by the regular expression of their path.
PATHS = {
    "class_needs": r"/prets/classes/\d+/besoins/",
    "run_new": r"/prets/attributions/nouvelle/",
    "run": r"/prets/attributions/\d+/",
    "decisions": r"/prets/attributions/\d+/decisions/",
    "decision": r"/prets/decisions/\d+/",
    "what_if": r"/prets/attributions/\d+/simulation/",
    "apply": r"/prets/attributions/\d+/appliquer/",
    "pupils": r"/prets/ecoles/\d+/eleves/",
    "pupil": r"/prets/eleves/\d+/",
    "family_links": r"/prets/eleves/\d+/familles/",
    "counter": r"/prets/guichet/",
    "proposals": r"/prets/propositions/",
    "offer_next": r"/prets/proposer/",
    "waiting": r"/prets/ecoles/\d+/liste-d-attente/",
}


def at(page: Page, name: str) -> PageAt:
    """The page ``name`` of :data:`PATHS`, checked like every page (axe, reflow, typography)."""
    return PageAt(page, PATHS[name])


class LoansHomePage(BasePage):
    PATH = r"/prets/"

    @classmethod
    def open(cls, page: Page) -> "LoansHomePage":
        """Through the main menu, as a person goes there."""
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Prêts (M6)"
        ).click()
        return cls(page)

    def tile(self, name: str) -> None:
        self.main.get_by_role("link", name=re.compile(rf"^{re.escape(name)}")).click()


class LoanPage(BasePage):
    PATH = r"/prets/\d+/"

    @property
    def status(self):
        return self.main.locator("#loan-status")


class CounterZonePage(BasePage):
    """The hand-out or the return of a school: htmx swaps the zone in place; ``check`` judges
    its new state like a page."""

    @property
    def zone(self):
        return self.page.locator("#counter-zone")

    def check(self) -> None:
        self.page.wait_for_load_state("networkidle")
        assert_accessible(self.page)

    def scan(self, tag: str) -> None:
        """A hand-held scanner: it types the tag, then Enter."""
        field = self.zone.get_by_label(re.compile(r"^\s*Numéro d'inventaire du matériel"))
        field.press_sequentially(tag, delay=10)
        field.press("Enter")

    def sign_and_confirm(self, *, consent: str, button: str, shot: str) -> Locator:
        """The form checked, the guardian signs (:meth:`sign`), the page is shot, confirmed:
        the zone's outcome."""
        self.check()
        self.sign(consent=consent)
        shoot(self.page, f"{SHOTS}/{shot}")
        self.zone.get_by_role("button", name=button).click()
        return self.zone.locator("#counter-done")

    def sign(self, *, consent: str) -> None:
        """The guardian types their name, ticks the consent and draws on the pad (a pointer
        is there: the pad shows)."""
        self.zone.get_by_label(re.compile(r"^\s*Nom et prénom du responsable légal")).fill(GUARDIAN)
        self.zone.get_by_label(re.compile(rf"^\s*{re.escape(consent)}")).check(force=True)
        canvas = self.zone.locator("canvas")
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        self.page.mouse.move(box["x"] + 20, box["y"] + 60)
        self.page.mouse.down()
        for step in range(1, 9):
            self.page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 60 - (step % 2) * 30)
        self.page.mouse.up()
        expect(self.page.locator("#id_drawing")).to_have_value(re.compile(r"^\[\[\["))


class HandOutPage(CounterZonePage):
    PATH = r"/prets/ecoles/\d+/remise/"


class ReturnPage(CounterZonePage):
    PATH = r"/prets/ecoles/\d+/retour/"


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
    # A pupil of Jean-Macé declared earlier, with the least need of all (REP+ only): first on
    # the school's waiting list after the run.
    NeedDeclarationFactory(
        pupil=PupilFactory(school=school, code="JM-CM2-04", level="CM2"),
        devices_at_home=HomeDevices.OWN,
        internet_at_home=HomeInternet.FIXED,
    )
    # The school's tablets, in stock, their tags on their backs.
    for n, tag in enumerate(TABLETS, start=1):
        AssetFactory(
            model=models["tablet"],
            state=AssetState.IN_STOCK,
            school=school,
            asset_tag=tag,
            serial_number=f"SN-JM-{n:04d}",
        )
    head = UserFactory(email="direction.jean-mace@example.org", password=PASSWORD)
    grant(head, Role.SCHOOL_HEAD, school)
    coordinator = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(coordinator, Role.COORDINATOR, tree.aisne)
    return {
        "head": head,
        "coordinator": coordinator,
        "class": school_class,
        "school": school,
        "tree": tree,
    }


@pytest.fixture
def another_browser(browser, server_url, browser_log):
    """Another person's browser: a context of its own (no cookies), watched like the test's
    (every request on the live server, no failed asset, no JavaScript error)."""
    contexts = []

    def open_one() -> Page:
        context = browser.new_context(base_url=server_url, locale="fr-FR")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        browser_log.attach(context)
        contexts.append(context)
        page = context.new_page()
        browser_log.watch(page)
        return page

    yield open_one
    for context in contexts:
        context.close()


def _row(page, row: int, *, code: str, devices: str, internet: str, shared: str = ""):
    """One row of the bulk entry, typed as a person does: Tab from cell to cell."""
    page.get_by_label(f"Code élève, ligne {row}").fill(code)
    page.keyboard.press("Tab")
    page.get_by_label(f"Niveau, ligne {row}").select_option(label="CM1")
    page.get_by_label(f"Équipement à la maison, ligne {row}").select_option(label=devices)
    if shared:
        page.get_by_label(re.compile(rf"^Partagé avec.*ligne {row}$")).fill(shared)
    page.get_by_label(f"Internet à la maison, ligne {row}").select_option(label=internet)


def declare_the_class(page: Page, school_class) -> None:
    page.goto(f"/prets/classes/{school_class.pk}/besoins/")
    at(page, "class_needs")
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
    entry = at(page, "class_needs")
    assert not entry.main.locator("#entry-errors").count(), entry.main.inner_text()[:1500]
    assert NeedDeclaration.objects.filter(pupil__school_class=school_class).count() == 3


def run_explain_and_what_if(page: Page, aisne) -> str:
    """13 candidates in Aisne, a budget for 10 tablets; the URL of the run."""
    page.goto(f"/prets/attributions/nouvelle/?node={aisne.pk}")
    form = at(page, "run_new")
    # DSFR draws the radio in its label: the label takes the click.
    form.main.locator("label", has_text="Pas de limite de stock (le budget seul)").click()
    form.main.get_by_label(re.compile(r"Budget \(€ TTC\)")).fill("3290")
    form.main.get_by_role("button", name="Lancer l'attribution").click()
    run = at(page, "run")
    run_url = page.url
    expect(run.main).to_contain_text("10")
    expect(run.main).to_contain_text("École Jean-Macé")
    run.main.get_by_role("link", name="Voir les décisions, élève par élève").click()
    decisions = at(page, "decisions")
    # The class's three pupils come first (REP+ and no device); two of the other school do not.
    decisions.main.get_by_label("Décision").select_option(index=2)
    decisions.main.get_by_role("button", name=re.compile("Filtrer|Afficher")).click()
    decisions = at(page, "decisions")
    decisions.main.get_by_role("link", name=re.compile(r"^COND-")).first.click()
    decision = at(page, "decision")
    expect(decision.main).to_contain_text("Non servi")
    expect(decision.main).to_contain_text("budget")

    page.goto(run_url)
    run = at(page, "run")
    run.main.get_by_role("link", name=re.compile("Et si")).click()
    what_if = at(page, "what_if")
    what_if.main.get_by_role("link", name=re.compile(r"10\s% de budget en plus")).click()
    what_if = at(page, "what_if")
    outcome = what_if.main.locator("#what-if-outcome")
    expect(outcome).to_contain_text("11 au lieu de 10")
    # The one pupil more is of the other school (the class's three were already served, and
    # Jean-Macé's fourth pupil has less need than the other school's).
    expect(outcome.locator("#what-if-schools")).to_contain_text("École Condorcet")
    assert NeedDeclaration.objects.count() == 13  # nothing written by the simulation
    assert not Loan.objects.exists()
    return run_url


def apply_the_run(page: Page, run_url: str) -> None:
    page.goto(run_url)
    at(page, "run").main.get_by_role("link", name="Appliquer l'attribution").click()
    apply = at(page, "apply")
    apply.main.get_by_label(re.compile("Je confirme l'envoi de 10")).check(force=True)
    apply.main.get_by_role("button", name="Appliquer l'attribution").click()
    run = at(page, "run")
    expect(run.page.get_by_text("10 propositions de prêt faites.")).to_be_visible()


def open_dashboard(page: Page) -> LoansDashboardPage:
    LoansHomePage.open(page).tile("Tableau de bord des prêts")
    dashboard = LoansDashboardPage(page)
    expect(dashboard.main.locator("#dashboard-place")).to_contain_text("Aisne")
    # The export buttons show their words beside the icon, not the icon alone.
    csv = dashboard.main.get_by_role("link", name="Chiffres en CSV")
    assert csv.bounding_box()["width"] > 100, csv.bounding_box()
    return dashboard


def record_the_acceptance(page: Page, code: str) -> LoanPage:
    """From the school's pupils to the pupil's loan: the family said yes."""
    LoansHomePage.open(page).tile("Élèves et besoins — École Jean-Macé")
    at(page, "pupils").main.get_by_role("link", name=code, exact=True).click()
    pupil = at(page, "pupil")
    pupil.main.locator("#pupil-loans").get_by_role("link", name=re.compile(r"^Prêt n°")).click()
    loan = LoanPage(page)
    expect(loan.status).to_have_text("Proposé")
    loan.main.get_by_role("button", name="Enregistrer l'accord de la famille").click()
    loan = LoanPage(page)
    expect(loan.status).to_have_text("Accepté par la famille")
    return loan


def open_counter(page: Page, action: str) -> None:
    """« Guichet des prêts », then the school's hand-out (« Remettre ») or return."""
    LoansHomePage.open(page).tile("Guichet des prêts")
    counter = at(page, "counter")
    counter.main.locator("#counter-schools").get_by_role(
        "link", name=f"{action} à École Jean-Macé"
    ).click()


def hand_out(page: Page, tag: str, code: str) -> str:
    """Scan first, then the pupil; the convention read (its PDF) and signed. The loan's URL."""
    open_counter(page, "Remettre")
    counter = HandOutPage(page)
    counter.scan(tag)
    expect(counter.zone.locator("#counter-asset")).to_contain_text(tag)
    counter.check()
    counter.zone.get_by_role("button", name=f"Remettre à {code}").click()
    confirm = counter.zone.locator("#counter-confirm")
    expect(confirm).to_contain_text(f"Remise à l'élève {code}")
    expect(confirm.locator("#counter-commitments li").first).to_be_visible()
    assert_pdf(page, confirm.get_by_role("link", name="Télécharger la convention à signer (PDF)"))
    done = counter.sign_and_confirm(
        consent="En saisissant mon nom, je reconnais avoir reçu le matériel",
        button="Confirmer la remise",
        shot="counter-hand-out",
    )
    expect(done).to_contain_text(f"{tag} remis à l'élève {code}")
    # The zone is empty again, the scan field focused for the next family.
    expect(counter.zone.get_by_label(re.compile(r"^\s*Numéro d'inventaire"))).to_be_focused()
    counter.check()
    with page.expect_download() as download:
        done.get_by_role("link", name="Télécharger la convention signée (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    done.get_by_role("link", name="voir le prêt").click()
    loan = LoanPage(page)
    expect(loan.status).to_have_text("En cours")
    expect(loan.main.locator("#loan-facts")).to_contain_text(tag)
    expect(loan.main.locator("#loan-documents")).to_contain_text("Convention de prêt, signée")
    return page.url


def link_the_parent(page: Page, code: str) -> str:
    """The head links the parent's account to the pupil; the one-time link of the e-mail."""
    LoansHomePage.open(page).tile("Élèves et besoins — École Jean-Macé")
    at(page, "pupils").main.get_by_role("link", name=code, exact=True).click()
    at(page, "pupil").main.get_by_role("link", name="Rattacher le compte d'un parent").click()
    links = at(page, "family_links")
    links.main.get_by_label(re.compile(r"^\s*Adresse électronique")).fill(PARENT)
    links.main.get_by_role("button", name="Rattacher").click()
    links = at(page, "family_links")
    expect(
        links.page.get_by_text(f"Le compte {PARENT} est rattaché à l'élève {code}")
    ).to_be_visible()
    expect(links.main.locator("#family-links")).to_contain_text(PARENT)
    # The live server shares this process's outbox.
    (message,) = [m for m in mail.outbox if m.to == [PARENT]]
    return re.search(r"(http://\S+/comptes/mot-de-passe/\S+)", message.body).group(1)


def parent_sees_the_loan(page: Page, link: str, tag: str) -> None:
    page.goto(link)
    login = PasswordSetPage(page).choose(PARENT_PASSWORD)
    # Not ``log_in``: a parent lands on « Mon prêt », not on the dashboard.
    login.page.get_by_label("Adresse électronique").fill(PARENT)
    login.page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(PARENT_PASSWORD)
    login.page.get_by_role("button", name="Se connecter").click()
    family = FamilyPage(page)
    expect(family.main).to_contain_text("Matériel prêté à votre enfant\u00a0: Tablette")
    expect(family.main).to_contain_text(tag)
    expect(family.main).to_contain_text("À rendre à l'école au plus tard le")
    expect(family.main.locator("#school-contact-1")).to_contain_text("École Jean-Macé")
    expect(family.main).not_to_contain_text("JM-01")  # the school's code of the pupil
    with page.expect_download() as download:
        family.main.get_by_role("link", name="Télécharger la convention de prêt signée").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    shoot(page, f"{SHOTS}/family")


def take_back(page: Page, tag: str, code: str) -> None:
    open_counter(page, "Reprendre")
    counter = ReturnPage(page)
    counter.scan(tag)
    confirm = counter.zone.locator("#counter-confirm")
    expect(confirm).to_contain_text(f"élève {code}")
    expect(confirm.locator("#counter-asset")).to_contain_text(tag)
    counter.zone.locator("label", has_text="Bon état").click()
    done = counter.sign_and_confirm(
        consent="En saisissant mon nom, je reconnais avoir rendu à l'école",
        button="Confirmer le retour",
        shot="counter-return",
    )
    expect(done).to_contain_text(f"{tag} rendu par la famille de l'élève {code} (bon état)")
    expect(done).to_contain_text("Il est de nouveau en stock à l'école.")
    # Offering it to the next pupil is the coordinator's: no button the head cannot use.
    expect(done.get_by_role("link", name="Proposer ce matériel à l'élève suivant")).to_have_count(0)
    counter.check()
    assert_pdf(page, done.get_by_role("link", name="Télécharger le reçu signé (PDF)"))


def offer_to_the_next_pupil(page: Page) -> None:
    LoansHomePage.open(page).tile("Listes d'attente")
    proposals = at(page, "proposals")
    row = proposals.main.locator("#proposals tbody tr", has_text="École Jean-Macé")
    expect(row).to_contain_text("Tablette")
    row.get_by_role("link", name=re.compile("^Proposer à l'élève suivant")).click()
    offer = at(page, "offer_next")
    expect(offer.main.locator("#next-pupil")).to_contain_text("JM-CM2-04")
    offer.main.get_by_role("button", name="Confirmer la proposition à l'élève JM-CM2-04").click()
    waiting = at(page, "waiting")
    expect(waiting.page.get_by_text("faite à l'élève JM-CM2-04")).to_be_visible()


def test_needs_an_explained_run_the_hand_out_the_return_and_the_next_pupil(
    page, people, another_browser, settings
):
    # The family's welcome goes through tne.core.notify: its email backend, Django's outbox.
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    head, coordinator = page, another_browser()
    tag = TABLETS[0]

    # 1. The head declares the needs of the class.
    LoginPage.open(head).log_in(email=people["head"].email, password=PASSWORD)
    declare_the_class(head, people["class"])

    # 2. The coordinator: the run, why a pupil is not served, « what if », the offers.
    LoginPage.open(coordinator).log_in(email=people["coordinator"].email, password=PASSWORD)
    run_url = run_explain_and_what_if(coordinator, people["tree"].aisne)
    apply_the_run(coordinator, run_url)
    before = open_dashboard(coordinator).figures()
    assert before["served"] == 10 and before["active"] == 0, before

    # 3. The family said yes; the counter hands the tablet out against the signed convention.
    record_the_acceptance(head, "JM-01")
    loan_url = hand_out(head, tag, "JM-01")
    dashboard = open_dashboard(coordinator)
    lent = dashboard.figures()
    shoot(coordinator, f"{SHOTS}/dashboard")
    assert lent == {
        **before,
        "active": before["active"] + 1,
        "equipped": before["equipped"] + 1,
        "stock": before["stock"] - 1,
    }, (before, lent)

    # 4. The parent, linked by the head, sees « Mon prêt ».
    parent = another_browser()
    parent_sees_the_loan(parent, link_the_parent(head, "JM-01"), tag)

    # 5. The return; the coordinator offers the tablet to the next pupil; the dashboard moves.
    take_back(head, tag, "JM-01")
    head.goto(loan_url)
    expect(LoanPage(head).status).to_have_text("Clos — Rendu")
    offer_to_the_next_pupil(coordinator)
    after = open_dashboard(coordinator).figures()
    assert after == {
        **lent,
        "active": lent["active"] - 1,
        "stock": lent["stock"] + 1,
        "served": lent["served"] + 1,
        "waiting": lent["waiting"] - 1,
    }, (lent, after)
    next_offer = Loan.objects.get(pupil__code="JM-CM2-04")
    assert next_offer.status == LoanStatus.OFFERED

    parent.reload()
    family = FamilyPage(parent)
    expect(family.main).to_contain_text("Prêt terminé\u00a0: Tablette")
    expect(family.main).to_contain_text("Le matériel a été rendu à l'école le")
