"""The acceptance journey of equipment (issue 7), in Chromium, each step in the real pages as the
real roles, on the open data of Aisne (communes and écoles through the importer):

a coordinator of Aisne creates an M5 campaign and allocates the hybrid kit to every class of
Anizy-le-Château in one action (preview, then confirmation), orders it on the Aisne envelope (the
ledger's « engagé » moves); a technician imports the supplier's delivery file (preview, then a
job: the allocations are « livrée ») and marks them installed; the head of the école signs the
installation by typed name and consent; the commune's officer co-signs it; the commune's M5
progress moves; an invoice on the order moves the ledger's « dépensé ». The head of the other
école of the commune gets the 404 page on that sign-off.

Every page visited passes axe-core (WCAG 2.1 A/AA and best practices), fits 1280 and 375 px
without horizontal scrolling and follows French typography (the page objects check it); no
request leaves the live server. With ``TNE_E2E_SCREENSHOTS=1``, screenshots of the main pages
per role at both widths go to ``var/screenshots/equipment/``."""

import datetime
import os
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.e2e.conftest import save_screenshot
from tests.e2e.equipment_pages import (
    AssetListPage,
    CampaignPage,
    DeliveryImportPage,
    EquipmentHomePage,
    InstallationsPage,
    LedgerPage,
    OrderPage,
    ProgressPage,
    ScanPage,
    SchoolEquipmentPage,
)
from tests.e2e.pages import LoginPage, NotFoundPage
from tests.equipment.factories import PRICES, SupplierFactory, ensure_catalogue, price_kits
from tests.factories import Role, SchoolClassFactory, UserFactory, grant
from tests.programme.factories import EnvelopeFactory, ensure_measures, measure
from tne.core.formats import euros
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation, Campaign, Order
from tne.territory.enums import NodeKind, Stage
from tne.territory.importers import import_file
from tne.territory.models import School, TerritoryNode

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"
OPEN_DATA_FILES = [
    "communes_dep02_dep95_2018_centroides.csv",
    "ips_ecoles_2021-2022_dep02_dep95.csv",
]
# Anizy-le-Château (INSEE 02018) has two écoles in the open data of écoles with their IPS.
COMMUNE_INSEE = "02018"
COMMUNE_NAME = "Anizy-le-Château"
YVES_BRES_UAI = "0020449C"  # ECOLE PRIMAIRE YVES BRES
OTHER_UAI = "0021949H"  # ECOLE PRIMAIRE
CLASSES = {
    YVES_BRES_UAI: [("CP-CE1", ["CP", "CE1"]), ("CE2-CM1", ["CE2", "CM1"]), ("CM2", ["CM2"])],
    OTHER_UAI: [("CP-CE1-CE2", ["CP", "CE1", "CE2"]), ("CM1-CM2", ["CM1", "CM2"])],
}
ENVELOPE = Decimal("250000.00")
ORDER_NUMBER = "UGAP-2026-0417"
INVOICE = Decimal("900.00")
SHOTS = "equipment"


def plain(text: str) -> str:
    """``text`` with its no-break spaces made plain, as the page objects read figures."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def shoot(page: Page, name: str) -> None:
    """With ``TNE_E2E_SCREENSHOTS=1``, a full-page screenshot at 1280 and at 375 px wide, for a
    person to look at (the checks run at both widths either way; the pictures cost ~10 s)."""
    if not os.environ.get("TNE_E2E_SCREENSHOTS"):
        return
    original = page.viewport_size or {"width": 1280, "height": 720}
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"{SHOTS}/{name}-{width}")
    page.set_viewport_size(original)


def log_in_as(page: Page, user) -> None:
    """Through the login page (checked like every page, with the dashboard it leads to)."""
    page.context.clear_cookies()
    LoginPage.open(page).log_in(email=user.email, password=PASSWORD)


def back_as(page: Page, user) -> None:
    """A session for a person who already logged in through the form in this journey (the
    login page and the dashboard are not checked twice)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(page.url).hostname,
                "path": "/",
            }
        ]
    )


@pytest.fixture
def pilot(settings, tmp_path):
    """The open data of Aisne and Val-d'Oise, the classes of this school year in the two écoles
    of Anizy-le-Château, a priced catalogue, an M5 envelope on Aisne, UGAP, and the people."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_measures()
    ensure_catalogue()
    folder = settings.DATA_DIR / "opendata" / "dep02_dep95"
    for name in OPEN_DATA_FILES:
        import_file(folder / name)
    aisne = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="02")
    commune = TerritoryNode.objects.get(kind=NodeKind.COMMUNE, code=COMMUNE_INSEE)
    schools = {uai: School.objects.get(uai=uai) for uai in CLASSES}
    for uai, classes in CLASSES.items():
        for name, levels in classes:
            SchoolClassFactory(
                school=schools[uai], name=name, levels=levels, stage=Stage.ELEMENTARY
            )
    price_kits()
    envelope = EnvelopeFactory(node=aisne, measure=measure("M5"), amount=ENVELOPE)
    SupplierFactory(name="UGAP")

    def person(email, role, target):
        user = UserFactory(email=email, password=PASSWORD)
        grant(user, role, target)
        return user

    return {
        "aisne": aisne,
        "commune": commune,
        "schools": schools,
        "envelope": envelope,
        "coordinator": person("coordination.aisne@example.org", Role.COORDINATOR, aisne),
        "technician": person("technicien.aisne@example.org", Role.TECHNICIAN, aisne),
        "head": person("direction.yves-bres@example.org", Role.SCHOOL_HEAD, schools[YVES_BRES_UAI]),
        "other_head": person("direction.anizy@example.org", Role.SCHOOL_HEAD, schools[OTHER_UAI]),
        "officer": person("mairie.anizy@example.org", Role.LOCAL_AUTHORITY, commune),
        "evaluator": person("evaluation@example.org", Role.EVALUATOR, aisne),
    }


def delivery_file(order: Order, on: datetime.date) -> bytes:
    """The supplier's file for ``order``: one line per device of each of its lines."""
    lines = ["numero_serie;reference_modele;numero_commande;date_livraison"]
    for line in order.lines.select_related("model").order_by("pk"):
        for n in range(line.quantity):
            serial = f"SN-{line.model.reference}-{n + 1:04d}".upper()
            lines.append(f"{serial};{line.model.reference};{order.number};{on:%d/%m/%Y}")
    return ("\n".join(lines) + "\n").encode()


def test_a_kit_goes_from_a_campaign_to_signed_installations_and_the_figures_move(page, pilot):
    classes = sum(len(c) for c in CLASSES.values())
    today = datetime.date.today()
    commune, school = pilot["commune"], pilot["schools"][YVES_BRES_UAI]

    # --- The coordinator: a campaign, the hybrid kit to every class of the commune, the order.
    log_in_as(page, pilot["coordinator"])
    home = EquipmentHomePage.from_navigation(page)
    shoot(page, "coordinator-home")
    ledger = LedgerPage.open(page)
    expect(ledger.heading).to_have_text("Suivi budgétaire")
    assert ledger.figure("committed") == plain(euros(0))
    assert ledger.figure("amount") == plain(euros(ENVELOPE))

    home = EquipmentHomePage.open(page)
    allocate = (
        home.go_to_campaigns()
        .new_campaign()
        .create(
            name="Kits hybrides Anizy-le-Château",
            measure="M5 — " + measure("M5").title,
            kit="Kit d'enseignement hybride",
            node="Département — Aisne (02)",
        )
    )
    preview = allocate.preview_by_node(f"Commune — {COMMUNE_NAME}")
    assert (
        plain(preview.summary.inner_text()) == f"{classes} classes dans 2 écoles, 0 déjà équipée."
    )
    assert not Allocation.objects.exists()  # A preview writes nothing.
    allocated = preview.confirm()
    expect(allocated.outcome).to_contain_text("affectations créées")
    campaign_page = allocated.to_campaign()
    assert campaign_page.step(AllocationStatus.PLANNED) == str(classes)
    expect(campaign_page.rows).to_have_count(classes)
    campaign = Campaign.objects.get()
    assert set(campaign.allocations.values_list("school__commune", flat=True)) == {commune.pk}

    order_form = campaign_page.order()
    kit_cost = sum(PRICES[code] for code in ("webcam", "microphone", "speakers"))
    assert plain(order_form.total.inner_text()) == plain(euros(kit_cost * classes))
    order_page = order_form.order(
        number=ORDER_NUMBER,
        supplier="UGAP",
        envelope=f"M5 — {pilot['aisne']} ({euros(ENVELOPE)})",
    )
    expect(order_page.heading).to_contain_text(ORDER_NUMBER)
    order = Order.objects.get(number=ORDER_NUMBER)
    shoot(page, "coordinator-order")
    ledger = LedgerPage.open(page)
    assert ledger.figure("committed") == plain(euros(kit_cost * classes))
    assert ledger.figure("spent") == plain(euros(0))
    campaign_page = CampaignPage.open(page, campaign.pk)
    assert campaign_page.step(AllocationStatus.ORDERED) == str(classes)

    # --- The technician: the delivery file, then the installations.
    log_in_as(page, pilot["technician"])
    upload = DeliveryImportPage.open(page)
    shoot(page, "technician-import")
    checked = upload.check(name="livraison-ugap.csv", content=delivery_file(order, today))
    expect(checked.preview).to_contain_text("aucune erreur")
    shoot(page, "technician-import-preview")
    job = checked.confirm()
    expect(job.progress).to_contain_text("Terminé")
    campaign_page = CampaignPage.open(page, campaign.pk)
    assert campaign_page.step(AllocationStatus.DELIVERED) == str(classes)
    AssetListPage.open(page)
    shoot(page, "technician-assets")
    ScanPage.open(page)
    shoot(page, "technician-scan")

    campaign_page = CampaignPage.open(page, campaign.pk).mark_all(
        "Marquer installées", on=today.isoformat()
    )
    expect(campaign_page.message).to_contain_text(f"{classes} affectation(s) installée(s)")
    assert campaign_page.step(AllocationStatus.INSTALLED) == str(classes)

    # --- Before the signatures, the commune's M5 progress: nothing in service.
    before = ProgressPage.open(page, node_id=commune.pk).total
    assert before.startswith("0 sur "), before

    # --- The head of the école signs one installation by typed name and consent.
    signed = Allocation.objects.filter(school=school).order_by("pk").first()
    log_in_as(page, pilot["head"])
    school_page = SchoolEquipmentPage.open(page, school.pk)
    shoot(page, "head-school")
    listing = school_page.to_sign()
    expect(listing.main.locator("#installations tbody tr")).to_have_count(
        len(CLASSES[YVES_BRES_UAI])
    )
    expect(listing.row(signed.pk)).to_contain_text("À valider")
    sign = listing.sign(signed.pk)
    shoot(page, "head-signoff")
    listing = sign.accept(name="Camille Lefèvre", remarks="Installé dans la salle du CP-CE1.")
    expect(listing.row(signed.pk)).to_contain_text("Validée le")
    signed.refresh_from_db()
    assert signed.status == AllocationStatus.IN_SERVICE

    # --- The commune's officer co-signs it.
    log_in_as(page, pilot["officer"])
    listing = InstallationsPage.open(page, todo="cosign")
    shoot(page, "officer-cosign-list")
    cosign = listing.cosign(signed.pk)
    expect(cosign.main).to_contain_text("Camille Lefèvre")
    listing = cosign.cosign(name="Dominique Roussel")
    signed.refresh_from_db()
    assert signed.authority_signed_at is not None

    # --- The commune's M5 progress moved.
    log_in_as(page, pilot["evaluator"])
    after = ProgressPage.open(page, node_id=commune.pk)
    assert after.total.startswith("1 sur "), after.total
    shoot(page, "evaluator-progress")

    # --- The coordinator enters an invoice: the ledger's « dépensé » moves.
    back_as(page, pilot["coordinator"])
    ProgressPage.open(page, node_id=commune.pk)
    shoot(page, "coordinator-progress")
    CampaignPage.open(page, campaign.pk)
    shoot(page, "coordinator-campaign")
    order_page = OrderPage.open(page, order.pk).invoice(
        number="F-2026-11873", issued_on=today.isoformat(), amount="900,00"
    )
    expect(order_page.main.locator("#order-invoices")).to_contain_text("F-2026-11873")
    ledger = LedgerPage.open(page)
    assert ledger.figure("spent") == plain(euros(INVOICE))
    assert ledger.figure("committed") == plain(euros(kit_cost * classes))
    shoot(page, "coordinator-ledger")

    # --- The head of the other école of the commune: the 404 page on that sign-off.
    back_as(page, pilot["other_head"])  # A person of the journey's kind: the head of a school.
    not_found = NotFoundPage.open(page, f"/equipement/installations/{signed.pk}/valider/")
    expect(not_found.heading).to_have_text("Page non trouvée")
    expect(not_found.main).not_to_contain_text(school.name)
