"""Page objects of the equipment pages (``/equipement/``), built like those of
``tests/e2e/pages.py``: building one checks the browser is on the page and runs axe-core, the
reflow check at 1280 and 375 px and the French typography check on it."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.pages import BasePage

ROOT = "/equipement/"


def _figure(locator: Locator) -> str:
    """The text of a figure, its spaces (no-break or not) made plain for comparisons."""
    return re.sub(r"\s+", " ", locator.inner_text().replace("\u202f", " ").replace("\xa0", " "))


class EquipmentHomePage(BasePage):
    PATH = r"/equipement/"

    @classmethod
    def open(cls, page: Page) -> "EquipmentHomePage":
        page.goto(ROOT)
        return cls(page)

    @classmethod
    def from_navigation(cls, page: Page) -> "EquipmentHomePage":
        navigation = page.get_by_role("navigation", name="Menu principal")
        navigation.get_by_role("link", name="Équipement", exact=True).click()
        return cls(page)

    def tile(self, label: str) -> Locator:
        return self.main.get_by_role("link", name=label, exact=True)

    def go_to_campaigns(self) -> "CampaignListPage":
        self.tile("Campagnes de déploiement").click()
        return CampaignListPage(self.page)


class CampaignListPage(BasePage):
    PATH = r"/equipement/campagnes/"

    def new_campaign(self) -> "CampaignFormPage":
        self.main.get_by_role("link", name="Nouvelle campagne").click()
        return CampaignFormPage(self.page)


class CampaignFormPage(BasePage):
    PATH = r"/equipement/campagnes/nouvelle/"

    def create(self, *, name: str, measure: str, kit: str, node: str) -> "AllocatePage":
        self.page.get_by_label(re.compile(r"^\s*Nom de la campagne")).fill(name)
        self.page.get_by_label(re.compile(r"^\s*Mesure")).select_option(label=measure)
        self.page.get_by_label(re.compile(r"^\s*Kit")).select_option(label=kit)
        self.page.get_by_label(re.compile(r"^\s*Territoire")).select_option(label=node)
        self.page.get_by_role("button", name="Créer la campagne").click()
        return AllocatePage(self.page)


class AllocatePage(BasePage):
    """The bulk allocation of a campaign: a choice, its preview, then the confirmation."""

    PATH = r"/equipement/campagnes/\d+/affecter/"

    def preview_by_node(self, node: str) -> "AllocatePage":
        section = self.main.locator("section", has=self.page.locator("#by-node-title"))
        section.get_by_label(re.compile(r"^\s*Territoire")).select_option(label=node)
        section.get_by_role("button", name="Voir l'aperçu").click()
        preview = AllocatePage(self.page)
        expect(preview.summary).to_be_visible()
        return preview

    @property
    def summary(self) -> Locator:
        return self.main.locator("#preview-summary")

    def confirm(self) -> "AllocatedPage":
        self.main.locator("#confirm-allocation").get_by_role(
            "button", name=re.compile(r"^Affecter le kit")
        ).click()
        return AllocatedPage(self.page)


class AllocatedPage(BasePage):
    PATH = r"/equipement/campagnes/\d+/affecter/"

    @property
    def outcome(self) -> Locator:
        return self.main.locator("#allocated")

    def to_campaign(self) -> "CampaignPage":
        self.main.get_by_role("link", name="Voir la campagne").click()
        return CampaignPage(self.page)


class CampaignPage(BasePage):
    PATH = r"/equipement/campagnes/\d+/"

    @classmethod
    def open(cls, page: Page, campaign_id: int) -> "CampaignPage":
        page.goto(f"{ROOT}campagnes/{campaign_id}/")
        return cls(page)

    def step(self, code: str) -> str:
        """The count of allocations at step ``code`` (PLANNED, ORDERED, DELIVERED…)."""
        return _figure(self.main.locator(f"#step-{code} .tne-figure__value"))

    @property
    def rows(self) -> Locator:
        return self.main.locator("#allocations tbody tr")

    def order(self) -> "CampaignOrderPage":
        self.main.get_by_role("link", name="Commander", exact=True).click()
        return CampaignOrderPage(self.page)

    def mark_all(self, button: str, *, on: str) -> "CampaignPage":
        """Tick every allocation of the page and press ``button`` (« Marquer livrées »,
        « Marquer installées »); the date is today's unless changed (``on``: AAAA-MM-JJ)."""
        date = self.main.locator("#steps").get_by_label(re.compile(r"^\s*Date"))
        expect(date).to_have_value(on)
        # By keyboard: the DSFR draws the box on the label (its text is for screen readers).
        for checkbox in self.main.locator('#allocations input[name="allocation"]').all():
            checkbox.focus()
            self.page.keyboard.press("Space")
            expect(checkbox).to_be_checked()
        self.main.get_by_role("button", name=button).click()
        return CampaignPage(self.page)

    @property
    def message(self) -> Locator:
        return self.page.locator(".fr-alert--success, .fr-alert--error").first


class CampaignOrderPage(BasePage):
    PATH = r"/equipement/campagnes/\d+/commander/"

    @property
    def total(self) -> Locator:
        return self.main.locator("#campaign-total")

    def order(self, *, number: str, supplier: str, envelope: str) -> "OrderPage":
        self.page.get_by_label(re.compile(r"^\s*Numéro de commande")).fill(number)
        self.page.get_by_label(re.compile(r"^\s*Fournisseur")).select_option(label=supplier)
        self.page.get_by_label(re.compile(r"^\s*Enveloppe imputée")).select_option(label=envelope)
        self.main.get_by_role("button", name=re.compile(r"^Commander et engager")).click()
        return OrderPage(self.page)


class OrderPage(BasePage):
    PATH = r"/equipement/commandes/\d+/"

    @classmethod
    def open(cls, page: Page, order_id: int) -> "OrderPage":
        page.goto(f"{ROOT}commandes/{order_id}/")
        return cls(page)

    def invoice(self, *, number: str, issued_on: str, amount: str) -> "OrderPage":
        self.main.get_by_role("link", name="Saisir une facture").click()
        form = InvoicePage(self.page)
        form.page.get_by_label(re.compile(r"^\s*Numéro de facture")).fill(number)
        form.page.get_by_label(re.compile(r"^\s*Date de facture")).fill(issued_on)
        form.page.get_by_label(re.compile(r"^\s*Montant TTC")).fill(amount)
        form.page.get_by_role("button", name="Enregistrer la facture").click()
        return OrderPage(self.page)


class InvoicePage(BasePage):
    PATH = r"/equipement/commandes/\d+/factures/"


class LedgerPage(BasePage):
    PATH = r"/equipement/budget/"

    @classmethod
    def open(cls, page: Page) -> "LedgerPage":
        page.goto(f"{ROOT}budget/")
        return cls(page)

    def figure(self, name: str) -> str:
        """« Engagé » (committed), « Dépensé » (spent)… of the node, as shown."""
        return _figure(self.main.locator(f"#figure-{name}"))


class DeliveryImportPage(BasePage):
    PATH = r"/equipement/livraisons/import/"

    @classmethod
    def open(cls, page: Page) -> "DeliveryImportPage":
        page.goto(f"{ROOT}livraisons/import/")
        return cls(page)

    def check(self, *, name: str, content: bytes) -> "DeliveryImportPage":
        self.page.get_by_label(re.compile(r"^\s*Fichier de livraison")).set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": content}
        )
        self.page.get_by_role("button", name="Vérifier le fichier").click()
        return DeliveryImportPage(self.page)

    @property
    def preview(self) -> Locator:
        return self.main.locator("#delivery-preview")

    def confirm(self) -> "JobPage":
        self.main.get_by_role("button", name="Confirmer l'import").click()
        return JobPage(self.page)


class JobPage(BasePage):
    PATH = r"/.*traitements/\d+/"

    @property
    def progress(self) -> Locator:
        return self.main.locator("#job-progress")


class ProgressPage(BasePage):
    PATH = r"/equipement/avancement/"

    @classmethod
    def open(cls, page: Page, *, node_id: int | None = None, measure: str = "M5"):
        query = f"?measure={measure}" + (f"&node={node_id}" if node_id else "")
        page.goto(f"{ROOT}avancement/{query}")
        return cls(page)

    @property
    def total(self) -> str:
        return _figure(self.main.locator("#progress-total .tne-figure__value"))


class InstallationsPage(BasePage):
    PATH = r"/equipement/installations/"

    @classmethod
    def open(cls, page: Page, todo: str = "") -> "InstallationsPage":
        page.goto(f"{ROOT}installations/" + (f"?todo={todo}" if todo else ""))
        return cls(page)

    def row(self, allocation_id: int) -> Locator:
        return self.main.locator(f"#installation-{allocation_id}")

    def sign(self, allocation_id: int) -> "SignOffPage":
        self.row(allocation_id).get_by_role("link", name=re.compile("^Valider ou refuser")).click()
        return SignOffPage(self.page)

    def cosign(self, allocation_id: int) -> "CoSignPage":
        self.row(allocation_id).get_by_role("link", name=re.compile("^Contresigner")).click()
        return CoSignPage(self.page)


class SignOffPage(BasePage):
    """The school head's decision on an installation, signed by typed name and consent."""

    PATH = r"/equipement/installations/\d+/valider/"

    def accept(self, *, name: str, remarks: str = "") -> InstallationsPage:
        self.page.get_by_label("Je valide l'installation").check(force=True)
        if remarks:
            self.page.get_by_label(re.compile(r"^\s*Remarques")).fill(remarks)
        self.page.get_by_label("Votre nom et prénom").fill(name)
        self.page.get_by_label(re.compile("je signe ma décision")).check(force=True)
        assert_accessible(self.page)
        self.page.get_by_role("button", name="Signer ma décision").click()
        return InstallationsPage(self.page)


class CoSignPage(BasePage):
    PATH = r"/equipement/installations/\d+/contresigner/"

    def cosign(self, *, name: str) -> InstallationsPage:
        self.page.get_by_label("Votre nom et prénom").fill(name)
        self.page.get_by_label(re.compile("je contresigne")).check(force=True)
        self.page.get_by_role("button", name="Contresigner", exact=True).click()
        return InstallationsPage(self.page)


class SchoolEquipmentPage(BasePage):
    PATH = r"/equipement/ecoles/\d+/"

    @classmethod
    def open(cls, page: Page, school_id: int) -> "SchoolEquipmentPage":
        page.goto(f"{ROOT}ecoles/{school_id}/")
        return cls(page)

    def to_sign(self) -> "InstallationsPage":
        self.main.get_by_role("link", name="Installations à valider").click()
        return InstallationsPage(self.page)


class AssetListPage(BasePage):
    PATH = r"/equipement/materiels/"

    @classmethod
    def open(cls, page: Page, query: str = "") -> "AssetListPage":
        page.goto(f"{ROOT}materiels/{query}")
        return cls(page)


class ScanPage(BasePage):
    PATH = r"/equipement/materiels/scan/"

    @classmethod
    def open(cls, page: Page) -> "ScanPage":
        page.goto(f"{ROOT}materiels/scan/")
        return cls(page)
