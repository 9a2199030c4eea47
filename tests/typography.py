"""The French-typography scan of a page's visible text, shared by the e2e page checks
(``tests/e2e/conftest.py``: every page of a journey) and the fast rendering test
(``tests/core/test_french_typography.py``).

The convention (``tne.core.formats.fr_typo``): a narrow no-break space (U+202F) or a no-break
space (U+00A0) before « ; ! ? », a no-break space before « : » and inside « »; straight
apostrophes; « 1 établissement », never « 1 Établissements »; « d' » before a vowel, never
« de ECOLE… »."""

import html
import re

_ORDINARY = "[ \t\r\n]"
RULES = [
    (
        re.compile(rf"\S{_ORDINARY}+([:;!?])(?=\s|$)"),
        "espace ordinaire avant « {0} » (espace insécable attendue)",
    ),
    (re.compile(rf"«{_ORDINARY}"), "espace ordinaire après « « » (espace insécable attendue)"),
    (re.compile(rf"\S{_ORDINARY}»"), "espace ordinaire avant « » » (espace insécable attendue)"),
    (
        re.compile(r"(?<![\d,.\u202f\u00a0])1[ \u00a0\u202f\n]+([A-ZÉÈ][a-zéèêàç]+s)\b"),
        "« 1 {0} » : pluriel avec majuscule après 1",
    ),
    (re.compile(r"’"), "apostrophe typographique (le site écrit l'apostrophe droite)"),
    (
        re.compile(r"\bde ([AEIOUÉÈÊÂÎÔYaeiouéèêâîôy][\w'-]*)"),
        "« de {0} » devant une voyelle (« d'… » ou « de l'… » attendu)",
    ),
]
# Texts of the DSFR components themselves (django-dsfr's templates), written with the curly
# apostrophe: not ours to rewrite.
DSFR_TEXTS = ("Voir le fil d’Ariane", "Vous êtes ici :", "Fil d’Ariane")
# « de » before a vowel is right before some words: « de une à trois », a number word…
DE_ALLOWED = {"un", "une", "huit", "onze", "UAI", "IPS", "IEN"}


def visible_text_of_html(markup: str) -> str:
    """The text a person reads in ``markup``'s ``<main>`` and header and footer: tags, scripts,
    styles and template-free attributes out, entities decoded."""
    body = markup.split("<body", 1)[-1]
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = re.sub(r"<br\s*/?>", "\n", body, flags=re.I)
    body = re.sub(
        r"</?(p|div|li|tr|td|th|h\d|dt|dd|caption|option|label|legend)\b[^>]*>", "\n", body
    )
    body = re.sub(r"<[^>]+>", "", body)
    return html.unescape(body)


def typography_problems(text: str) -> list[str]:
    """Every mistake of the convention in ``text``, with its context."""
    problems = []
    for dsfr_text in DSFR_TEXTS:
        text = text.replace(dsfr_text, "")
    for pattern, message in RULES:
        for match in pattern.finditer(text):
            groups = match.groups()
            if message.startswith("« de") and groups[0].split("-")[0] in DE_ALLOWED:
                continue
            context = " ".join(text[max(0, match.start() - 30) : match.end() + 30].split())
            problem = f"{message.format(*groups)} : « {context} »"
            problems.append(problem)
    return problems
