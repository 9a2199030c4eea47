"""Installation sign-off and new teacher's hand-over, in a real browser and by keyboard only: a
school head opens the installations to validate, reads the report and accepts by typing their
name (the drawing pad never needed); the commune's officer co-signs it; the head hands a new
teacher their kit (tags typed as a scanner would) against a receipt the teacher signs. Every
page passes axe-core (checked by the page objects)."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.pages import BasePage, LoginPage
from tests.equipment.factories import AssetFactory, ensure_catalogue, price_kits
from tests.equipment.signoff_factories import installed
from tests.factories import (
    Role,
    SchoolFactory,
    StaffFactory,
    UserFactory,
    grant,
    territory_tree,
)
from tests.programme.factories import ensure_measures
from tne.equipment.enums import AllocationStatus, AssetState
from tne.equipment.models import Allocation

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"


class InstallationsPage(BasePage):
    PATH = r"/equipement/installations/"


class SignPage(BasePage):
    PATH = r"/equipement/installations/\d+/(valider|contresigner)/"


class TeacherPage(BasePage):
    PATH = r"/equipement/nouveaux-enseignants/\d+/(remise/)?"


@pytest.fixture
def people(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_measures()
    ensure_catalogue()
    tree = territory_tree()
    school = SchoolFactory(commune=tree.laon, name="École Jean-Macé")
    head = UserFactory(email="direction.jean-mace@example.org", password=PASSWORD)
    grant(head, Role.SCHOOL_HEAD, school)
    officer = UserFactory(email="mairie.laon@example.org", password=PASSWORD)
    grant(officer, Role.LOCAL_AUTHORITY, tree.laon)
    allocation = installed(school, devices=2)
    teacher = StaffFactory(
        school=school, is_new_teacher=True, first_name="Julie", last_name="Moreau"
    )
    models = price_kits()
    tags = [
        AssetFactory(model=models[code], stock_node=tree.aisne, state=AssetState.IN_STOCK).asset_tag
        for code in ("laptop", "webcam", "microphone")
    ]
    return {
        "head": head,
        "officer": officer,
        "allocation": allocation,
        "teacher": teacher,
        "tags": tags,
    }


def test_a_head_signs_by_keyboard_and_the_commune_co_signs(page, people):
    allocation = people["allocation"]
    LoginPage.open(page).log_in(email=people["head"].email, password=PASSWORD)
    page.goto("/equipement/installations/?todo=sign")
    listing = InstallationsPage(page)
    expect(listing.main.locator(f"#installation-{allocation.pk}")).to_contain_text("À valider")
    listing.main.get_by_role("link", name=re.compile("Valider ou refuser")).click()
    sign = SignPage(page)
    expect(sign.main.locator("#devices")).to_contain_text(allocation.assets.first().asset_tag)
    # Keyboard only: choose, type the name, tick the consent, submit. No pad needed.
    page.get_by_label("Je valide l'installation").focus()
    page.keyboard.press("Space")
    page.get_by_label("Votre nom et prénom").fill("Anne Martin")
    page.get_by_label(re.compile("je signe ma décision")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Signer ma décision").press("Enter")
    InstallationsPage(page)
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.IN_SERVICE

    page.context.clear_cookies()
    LoginPage.open(page).log_in(email=people["officer"].email, password=PASSWORD)
    page.goto("/equipement/installations/?todo=cosign")
    listing = InstallationsPage(page)
    listing.main.get_by_role("link", name=re.compile("Contresigner l'installation")).click()
    cosign = SignPage(page)
    expect(cosign.main).to_contain_text("Anne Martin")
    page.get_by_label("Votre nom et prénom").fill("Luc Bernard")
    page.get_by_label(re.compile("je contresigne")).check(force=True)
    page.get_by_role("button", name="Contresigner").click()
    InstallationsPage(page)
    allocation.refresh_from_db()
    assert allocation.authority_signed_at is not None


def test_a_head_hands_a_new_teacher_their_kit(page, people):
    teacher = people["teacher"]
    LoginPage.open(page).log_in(email=people["head"].email, password=PASSWORD)
    page.goto(f"/equipement/nouveaux-enseignants/{teacher.pk}/")
    detail = TeacherPage(page)
    detail.main.get_by_role("button", name=re.compile("Lui affecter le kit")).click()
    detail = TeacherPage(page)
    detail.main.get_by_role("link", name="Remettre l'équipement").click()
    TeacherPage(page)
    page.get_by_label(re.compile("Numéros d'inventaire")).fill("\n".join(people["tags"]))
    page.get_by_label("Nom et prénom de l'enseignant").fill("Julie Moreau")
    page.get_by_label(re.compile("je reconnais avoir reçu")).check(force=True)
    page.get_by_role("button", name="Remettre et signer le reçu").click()
    detail = TeacherPage(page)
    for tag in people["tags"]:
        expect(detail.main.locator("#held")).to_contain_text(tag)
    expect(detail.main.locator("#receipts")).to_contain_text("Julie Moreau")
    assert Allocation.objects.get(staff=teacher).status == AllocationStatus.IN_SERVICE
    assert settings.MEDIA_ROOT
