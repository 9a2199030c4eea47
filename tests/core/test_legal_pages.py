"""The legal notice and the accessibility statement: in French, with what the operator declared
or « non déclaré par l'exploitant » (never a variable name), and every part the RGAA requires of a
statement."""

import html as html_module
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNDECLARED = {
    "TNE_OPERATOR": "",
    "TNE_PUBLICATION_DIRECTOR": "",
    "TNE_HOST_PROVIDER": "",
    "TNE_CONTACT_EMAIL": "",
    "TNE_ACCESSIBILITY_STATEMENT_DATE": "",
    "TNE_ACCESSIBILITY_AUDIT_DATE": "",
    "TNE_ACCESSIBILITY_AUDIT_RATE": -1,
}


@pytest.fixture
def undeclared(settings):
    for name, value in UNDECLARED.items():
        setattr(settings, name, value)
    return settings


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.mark.parametrize("name", ["core:legal", "core:accessibility"])
def test_it_names_no_setting_when_the_operator_declared_nothing(client, undeclared, name):
    text = _text(client.get(reverse(name)))
    assert "TNE_" not in text
    assert re.search(r"non déclarée? par l.exploitant", text)


def test_the_legal_notice_shows_what_the_operator_declared(client, undeclared):
    undeclared.TNE_OPERATOR = "Académie d'Amiens"
    undeclared.TNE_CONTACT_EMAIL = "tne@ac-amiens.fr"
    response = client.get(reverse("core:legal"))
    text = _text(response)
    assert "Académie d'Amiens" in text
    assert 'href="mailto:tne@ac-amiens.fr"' in response.content.decode()


def test_the_statement_has_every_part_the_rgaa_requires(client, undeclared):
    response = client.get(reverse("core:accessibility"))
    html = response.content.decode()
    headings = [" ".join(h.split()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    for heading in [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ]:
        assert heading.replace("'", "'") in [h.replace("'", "'") for h in headings], heading
    text = _text(response).replace("\u00a0", " ").replace("\u202f", " ")
    assert "non conforme" in text
    assert "aucun audit" in text.lower()
    assert "axe-core" in text
    assert "Chromium" in text  # the environment of the tests
    assert "09 69 39 00 00" in text
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in text
    assert "formulaire de contact en ligne" in text


@pytest.mark.parametrize(
    ("rate", "level"),
    [(42, "non conforme"), (75, "partiellement conforme"), (100, "totalement conforme")],
)
def test_the_statement_follows_the_last_audit(client, undeclared, rate, level):
    undeclared.TNE_ACCESSIBILITY_AUDIT_DATE = "12 mars 2027"
    undeclared.TNE_ACCESSIBILITY_AUDIT_RATE = rate
    undeclared.TNE_CONTACT_EMAIL = "tne@ac-amiens.fr"
    response = client.get(reverse("core:accessibility"))
    text = _text(response).replace("\u00a0", " ").replace("\u202f", " ")
    assert f"TNE est {level} avec le référentiel" in text
    assert "audit du 12 mars 2027" in text
    assert f"{rate} % des critères" in text
    assert "tne@ac-amiens.fr" in text
    footer = response.content.decode().split('id="footer"')[1]
    footer_text = html_module.unescape(re.sub(r"<[^>]+>", " ", footer)).replace("\u00a0", " ")
    assert f"Accessibilité : {level}" in " ".join(footer_text.split())
