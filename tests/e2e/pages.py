"""Page objects of the end-to-end tests: one class per page of TNE, built on the Playwright page
once the browser is on it. Building one checks that the browser is really there and runs axe-core
on it, so every page a journey visits is checked for WCAG 2.1 A/AA."""

import os
import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import REFLOW_WIDTHS, assert_accessible, save_screenshot


class BasePage:
    """A TNE page. ``PATH`` is a regular expression on the URL path of the page."""

    PATH = r"/"

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(rf"^[a-z]+://[^/]+{self.PATH}(\?.*)?$"))
        page.wait_for_load_state("load")
        # The DSFR stylesheet and its Marianne font are there: axe judges the real styles.
        expect(
            page.locator("body"), f"{page.url} : pas de style DSFR (base.html non utilisé ?)"
        ).to_have_css("font-family", re.compile("Marianne"))
        expect(self.heading).to_have_count(1)
        assert_accessible(page)

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")


class PageAt(BasePage):
    """A page with no method of its own, known by the regular expression of its path."""

    def __init__(self, page: Page, path: str):
        self.PATH = path
        super().__init__(page)


class LoginPage(BasePage):
    PATH = r"/comptes/connexion/"

    @classmethod
    def open(cls, page: Page) -> "LoginPage":
        page.goto("/comptes/connexion/")
        return cls(page)

    def log_in(self, *, email: str, password: str) -> "DashboardPage":
        self.page.get_by_label("Adresse électronique").fill(email)
        # Not "exact": DSFR appends a required marker to the label.
        self.page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(password)
        self.page.get_by_role("button", name="Se connecter").click()
        return DashboardPage(self.page)


class DashboardPage(BasePage):
    PATH = r"/"

    def figure(self, label: str) -> str:
        """The figure of the card labelled ``label`` (« Écoles », « Classes »…), as shown."""
        card = self.main.locator(".tne-figure").filter(
            has=self.page.locator(".tne-figure__label", has_text=re.compile(rf"^{label}$"))
        )
        return card.locator(".tne-figure__value").inner_text().strip()

    def go_to_schools(self) -> "SchoolListPage":
        navigation = self.page.get_by_role("navigation", name="Menu principal")
        navigation.get_by_role("link", name="Établissements", exact=True).click()
        return SchoolListPage(self.page)


class SchoolListPage(BasePage):
    PATH = r"/territoire/etablissements/"

    @classmethod
    def open(cls, page: Page) -> "SchoolListPage":
        page.goto("/territoire/etablissements/")
        return cls(page)

    def search(self, text: str) -> "SchoolListPage":
        """Search by name or UAI. htmx swaps the results in and updates the URL; typing also
        triggers a search after a short delay, so wait until the network is quiet."""
        field = self.page.get_by_label("Nom ou UAI")
        field.fill(text)
        field.press("Enter")
        expect(self.page).to_have_url(re.compile(rf"[?&]q={re.escape(text)}(&|$)"))
        self.page.wait_for_load_state("networkidle")
        return SchoolListPage(self.page)

    def next_page(self) -> "SchoolListPage":
        """The next page of results, swapped in by htmx: the focus moves to the new table."""
        self.main.get_by_role("link", name="Page suivante").click()
        expect(self.page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
        expect(self.rows.first).to_be_visible()
        return SchoolListPage(self.page)

    @property
    def result_count(self) -> Locator:
        return self.main.get_by_role("status")

    @property
    def rows(self) -> Locator:
        return self.main.locator("#school-table tbody tr")

    def open_school(self, uai: str) -> "SchoolPage":
        self.main.locator(f"#uai-{uai}").get_by_role("link").click()
        return SchoolPage(self.page)

    def choose(self, label: str, option: str) -> "SchoolListPage":
        """Choose ``option`` in the select labelled ``label``: htmx swaps the form and the
        results in (after a short delay) and pushes the URL."""
        url = self.page.url
        self.page.get_by_label(label, exact=True).select_option(label=option)
        expect(self.page).not_to_have_url(url)
        self.page.wait_for_load_state("networkidle")
        return SchoolListPage(self.page)

    def sort_by(self, column: str) -> "SchoolListPage":
        """Click the header of ``column``: the list is sorted by it (then reversed)."""
        self.main.locator("#school-table thead").get_by_role(
            "link", name=re.compile(rf"^{column}\b")
        ).click()
        expect(self.page).to_have_url(re.compile(r"[?&]tri=-?[a-z]+(&|$)"))
        self.page.wait_for_load_state("networkidle")
        return SchoolListPage(self.page)

    def sorted_column(self) -> Locator:
        return self.main.locator("#school-table th[aria-sort]")


class SchoolPage(BasePage):
    PATH = r"/territoire/etablissements/[0-9]{7}[A-Z]/"

    @classmethod
    def open(cls, page: Page, uai: str) -> "SchoolPage":
        page.goto(f"/territoire/etablissements/{uai}/")
        return cls(page)

    def identity(self, label: str) -> Locator:
        """The cell of the identity table on the row headed ``label`` (« UAI », « IPS »…)."""
        header = self.page.locator("th", has_text=re.compile(rf"^{label}$"))
        return self.main.locator("tr", has=header).locator("td")


class MapPage(BasePage):
    PATH = r"/territoire/departements/[0-9AB]{2,3}/carte/"

    @classmethod
    def open(cls, page: Page, code: str) -> "MapPage":
        page.goto(f"/territoire/departements/{code}/carte/")
        return cls(page)

    @property
    def points(self) -> Locator:
        return self.main.locator("figure svg a.tne-map-point")


class NotFoundPage(BasePage):
    """The 404 page, at whatever URL was asked."""

    PATH = r"/.*"

    @classmethod
    def open(cls, page: Page, path: str) -> "NotFoundPage":
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, f"{path} : statut {response.status}, 404 attendu"
        return cls(page)


class AccessListPage(BasePage):
    PATH = r"/comptes/acces/"

    @classmethod
    def open(cls, page: Page) -> "AccessListPage":
        page.goto("/comptes/acces/")
        return cls(page)

    @property
    def rows(self) -> Locator:
        return self.main.locator("#access-table tbody tr")

    def row_of(self, email: str) -> Locator:
        return self.rows.filter(has_text=email)

    def add(self) -> "AccessGrantPage":
        self.main.get_by_role("link", name="Attribuer un rôle").click()
        return AccessGrantPage(self.page)

    def withdraw(self, email: str) -> "AccessWithdrawPage":
        self.row_of(email).get_by_role("link", name=re.compile("^Retirer")).click()
        return AccessWithdrawPage(self.page)


class AccessGrantPage(BasePage):
    PATH = r"/comptes/acces/ajouter/"

    def grant_on_school(self, *, email: str, role: str, uai: str) -> "AccessGrantedPage":
        self.page.get_by_label(re.compile(r"^\s*Adresse électronique")).fill(email)
        # htmx swaps in the target field that fits the role (a UAI for a school role): wait for
        # the swap, or the UAI typed into the field it replaces would be lost.
        with self.page.expect_response(re.compile(r"/comptes/acces/ajouter/\?")):
            self.page.get_by_label(re.compile(r"^\s*Rôle")).select_option(label=role)
        expect(self.page.locator("#id_node")).to_have_count(0)
        uai_field = self.page.get_by_label(re.compile(r"^\s*UAI"))
        expect(uai_field).to_be_visible()
        uai_field.fill(uai)
        assert_accessible(self.page)
        self.page.get_by_role("button", name="Attribuer le rôle").click()
        return AccessGrantedPage(self.page)


class AccessGrantedPage(BasePage):
    PATH = r"/comptes/acces/ajouter/"

    @property
    def outcome(self) -> Locator:
        return self.main.locator("#grant-outcome")

    def back_to_list(self) -> AccessListPage:
        self.main.get_by_role("link", name="Retour aux accès").click()
        return AccessListPage(self.page)


class AccessWithdrawPage(BasePage):
    PATH = r"/comptes/acces/[0-9]+/retirer/"

    def confirm(self) -> AccessListPage:
        self.page.get_by_role("button", name="Retirer le rôle").click()
        return AccessListPage(self.page)


class PasswordSetPage(BasePage):
    PATH = r"/comptes/mot-de-passe/.+"

    def choose(self, password: str) -> LoginPage:
        # The fieldset's legend is « Nouveau mot de passe » too: take the inputs themselves.
        self.page.locator("input#id_new_password1").fill(password)
        self.page.locator("input#id_new_password2").fill(password)
        self.page.get_by_role("button", name=re.compile("Enregistrer")).click()
        return LoginPage(self.page)


class ApiDocumentationPage(BasePage):
    """The French documentation of the API (public)."""

    PATH = r"/api/"

    @classmethod
    def open(cls, page: Page) -> "ApiDocumentationPage":
        page.goto("/api/")
        return cls(page)

    def operation(self, summary: str) -> Locator:
        """The accordion of the operation whose summary is ``summary``."""
        return self.main.locator(".fr-accordion").filter(
            has=self.page.get_by_role("button", name=re.compile(rf"^{re.escape(summary)}"))
        )

    def expand(self, summary: str) -> Locator:
        operation = self.operation(summary)
        operation.get_by_role("button").click()
        expect(operation.get_by_role("button")).to_have_attribute("aria-expanded", "true")
        return operation


class AccessSearchMixin:
    """The searches of the grant form (ARIA combobox), driven with the keyboard only."""

    def choose_in_search(self, search_id: str, text: str, option: str) -> None:
        field = self.page.locator(f"#{search_id}")
        listbox = self.page.locator(f"#{field.get_attribute('aria-controls')}")
        with self.page.expect_response(re.compile(r"/comptes/acces/recherche/")):
            field.press_sequentially(text, delay=20)
        expect(field).to_have_attribute("aria-expanded", "true")
        expect(listbox.get_by_role("option", name=option)).to_be_visible()
        assert_accessible(self.page)
        while listbox.locator('[aria-selected="true"]').filter(has_text=option).count() == 0:
            field.press("ArrowDown")
        field.press("Enter")
        expect(field).to_have_attribute("aria-expanded", "false")


class AccessGrantSearchPage(AccessSearchMixin, AccessGrantPage):
    PATH = r"/comptes/acces/ajouter/"

    def grant_on_node_by_search(self, *, email: str, role: str, text: str, option: str):
        self.page.get_by_label(re.compile(r"^\s*Adresse électronique")).fill(email)
        with self.page.expect_response(re.compile(r"/comptes/acces/ajouter/\?")):
            self.page.get_by_label(re.compile(r"^\s*Rôle")).select_option(label=role)
        self.choose_in_search("node-search", text, option)
        expect(self.page.locator("#id_node")).to_have_value(re.compile(r"^\d+$"))
        self.page.get_by_role("button", name="Attribuer le rôle").click()
        return AccessGrantedPage(self.page)

    def find_school(self, *, text: str, option: str) -> Locator:
        """The UAI field, once the school was chosen in the search by its name."""
        self.choose_in_search("school-search", text, option)
        return self.page.get_by_label(re.compile(r"^\s*UAI"))


class PasswordResetPage(BasePage):
    PATH = r"/comptes/mot-de-passe-oublie/"

    def ask(self, email: str) -> BasePage:
        self.page.get_by_label(re.compile(r"^\s*Adresse électronique")).fill(email)
        self.page.get_by_role("button", name="Recevoir un lien").click()
        return PasswordResetSentPage(self.page)


class PasswordResetSentPage(BasePage):
    PATH = r"/comptes/mot-de-passe-oublie/envoye/"


class PasswordResetChoosePage(PasswordSetPage):
    PATH = r"/comptes/mot-de-passe-oublie/.+"


def shoot(page: Page, name: str) -> None:
    """With ``TNE_E2E_SCREENSHOTS=1``, a full-page screenshot of the page as it is at 1280 and
    at 375 px wide, ``var/screenshots/<name>-<width>.png``, for a person to look at (the checks
    run at both widths either way; the pictures cost seconds)."""
    if not os.environ.get("TNE_E2E_SCREENSHOTS"):
        return
    original = page.viewport_size or {"width": 1280, "height": 720}
    for width in REFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"{name}-{width}")
    page.set_viewport_size(original)


def assert_pdf(page: Page, link: Locator) -> bytes:
    """The document behind ``link``, fetched with the browser's session: a PDF (its type and its
    first bytes)."""
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200, f"{response.url} : statut {response.status}"
    assert response.headers["content-type"] == "application/pdf", response.headers
    body = response.body()
    assert body.startswith(b"%PDF"), body[:40]
    return body


class FamilyPage(BasePage):
    """« Mon prêt », the page of a parent."""

    PATH = r"/prets/famille/"


class LoansDashboardPage(BasePage):
    """The M6 dashboard of a territory or a school."""

    PATH = r"/prets/tableau-de-bord/"
    FIGURES = {
        "needs": "#figure-needs",
        "served": "#figure-served",
        "waiting": "#figure-waiting",
        "active": "#figure-active",
        "overdue": "#figure-overdue",
        "lost": "#figure-lost",
        "stock": "#figure-stock",
        "equipped": "#dashboard-target",
    }

    def figures(self) -> dict[str, int]:
        """The counts as shown (« 1 234 », « 12 sur 15 000 »: the first number)."""
        found = {}
        for name, selector in self.FIGURES.items():
            text = self.main.locator(f"{selector} .tne-figure__value").inner_text()
            number = re.match(r"\d[\d\s\u202f\xa0]*", text.strip())
            assert number, f"{name} : «\u00a0{text}\u00a0» n'est pas un nombre"
            found[name] = int(re.sub(r"\D", "", number.group()))
        return found
