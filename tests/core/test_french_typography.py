"""French typography: the helpers of ``tne.core.formats`` (``fr_typo``, ``de``) and a scan of the
visible text of the main pages, rendered for a few roles, with the rules the e2e page checks
apply too (``tests.typography``)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.factories import Role, SchoolFactory, StaffFactory, grant, user_with_role
from tests.typography import typography_problems, visible_text_of_html
from tne.core.formats import de, fr_typo

NB, THIN = "\u00a0", "\u202f"


def test_fr_typo_puts_the_french_spaces():
    assert fr_typo("Attention : oui ; non ! Vraiment ?") == (
        f"Attention{NB}: oui{THIN}; non{THIN}! Vraiment{THIN}?"
    )
    assert fr_typo("« Accès »") == f"«{NB}Accès{NB}»"
    assert fr_typo("«Accès»") == f"«{NB}Accès{NB}»"
    assert fr_typo("8:30, https://exemple.fr") == "8:30, https://exemple.fr"
    assert fr_typo(None) == ""


def test_de_elides_before_a_vowel_and_knows_the_departements():
    assert de("ECOLE DES REMPARTS") == "d'ECOLE DES REMPARTS"
    assert de("Écouen") == "d'Écouen"
    assert de("Laon") == "de Laon"
    assert de("Aisne", "02") == "de l'Aisne"
    assert de("Val-d'Oise", "95") == "du Val-d'Oise"
    assert de("Yvelines", "78") == "des Yvelines"
    assert de("Paris", "75") == "de Paris"


def test_the_template_filters_are_the_same_functions():
    rendered = Template("{% load tne_formats %}{{ a|fr_typo }}|{{ b|de }}|{{ c|de:'02' }}").render(
        Context({"a": "Oui : non", "b": "ECOLE", "c": "Aisne"})
    )
    assert rendered == f"Oui{NB}: non|d&#x27;ECOLE|de l&#x27;Aisne"


def test_the_scan_finds_each_kind_of_mistake():
    found = typography_problems("Rôle : x « y » 1 Établissements, Personnels de ECOLE, l’école")
    assert len(found) == 6, found
    assert typography_problems(f"Rôle{NB}: x «{NB}y{NB}» 1{NB}établissement, d'ECOLE") == []


@pytest.fixture
def people(tree):
    school = SchoolFactory(uai="0020001A", name="ECOLE DES REMPARTS", commune=tree.laon)
    StaffFactory(school=school)
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    head = user_with_role(Role.SCHOOL_HEAD, school)
    steering = user_with_role(Role.NATIONAL, tree.country)
    grant(head, Role.TEACHER, school)
    return {"coordinator": coordinator, "head": head, "steering": steering, "school": school}


PUBLIC_PAGES = ["accounts:login", "accounts:password_reset", "core:legal", "core:accessibility"]
# The pages of the e2e journeys and the forms of « Accès », by role.
PAGES = {
    "coordinator": [
        "home",
        "accounts:access_invite",
        "accounts:access_list",
        "accounts:access_grant",
        "accounts:api_tokens",
        "territory:import_upload",
    ],
    "steering": ["home", "accounts:access_list", "accounts:access_grant"],
    # A school head holds no API token (``accounts.use_api``): their home and their history.
    "head": ["home", "territory:history"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_follow_french_typography(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    problems = typography_problems(visible_text_of_html(response.content.decode()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("who", "name"), [(who, name) for who, names in PAGES.items() for name in names]
)
def test_pages_follow_french_typography(client, people, who, name):
    client.force_login(people[who])
    response = client.get(reverse(name))
    assert response.status_code == 200, name
    problems = typography_problems(visible_text_of_html(response.content.decode()))
    assert not problems, "\n".join(problems)


def test_the_dashboard_follows_french_typography(client, people):
    client.force_login(people["coordinator"])
    response = client.get(reverse("home"))
    problems = typography_problems(visible_text_of_html(response.content.decode()))
    assert not problems, "\n".join(problems)
