"""A parent, in a real browser: log in and land on « Mon prêt », their child's loan in plain
words (the device, its tag, the return date, whom to contact); the navigation shows « Mon prêt »
only, and every other page answers 403 — their child's school page, the exports, the territory
browser, the API tokens, the loans dashboard. Every page visited passes axe-core (WCAG 2.1
A/AA).

(Loans, M6: an account whose only role is « Parent » opens « Mon prêt » only, see
``tne.loans.family_access``; before M6 a parent saw the card and the page of their child's
school.)"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.pages import FamilyPage, LoginPage
from tests.equipment.factories import ensure_catalogue
from tests.factories import Role, user_with_role
from tests.loans.factories import LoanFactory, NeedDeclarationFactory, PupilFactory, lendable_asset
from tests.programme.factories import ensure_measures
from tne.loans.enums import LoanStatus
from tne.loans.services.families import link_parent
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
    ensure_measures()
    ensure_catalogue()
    school = School.objects.get(uai=BERNY_UAI)
    pupil = PupilFactory(school=school, code="BERNY-CM1-07")
    NeedDeclarationFactory(pupil=pupil)
    LoanFactory(
        pupil=pupil,
        status=LoanStatus.ACTIVE,
        asset=lendable_asset(school, asset_tag="TNE-BERNY-1"),
        handed_out_at=timezone.now(),
        due_on=timezone.localdate() + datetime.timedelta(days=120),
    )
    head = user_with_role(Role.SCHOOL_HEAD, school)
    user = link_parent(actor=head, pupil=pupil, email="parent.berny@example.org").link.user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def test_a_parent_sees_their_childs_loan_and_nothing_else(page, parent):
    LoginPage.open(page)
    # Not ``log_in``: a parent lands on « Mon prêt », not on the dashboard.
    page.get_by_label("Adresse électronique").fill(parent.email)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    FamilyPage(page)  # axe, reflow and typography, like every page
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Mon prêt", level=1)).to_be_visible()
    expect(main).to_contain_text("TNE-BERNY-1")
    expect(main).to_contain_text("À rendre à l'école au plus tard")
    expect(main).to_contain_text("ECOLE PRIMAIRE")
    expect(main).not_to_contain_text("BERNY-CM1-07")  # the school's code of the pupil
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link")).to_have_count(1)
    expect(navigation.get_by_role("link", name="Mon prêt")).to_be_visible()
    expect(page.get_by_role("link", name="Jetons d'API")).to_have_count(0)
    assert_accessible(page)

    for path in [
        f"/territoire/etablissements/{BERNY_UAI}/",
        "/territoire/etablissements/export.csv",
        "/territoire/",
        "/comptes/jetons/",
        "/prets/tableau-de-bord/",
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert_accessible(page)
