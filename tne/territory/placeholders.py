"""The one rule telling a real school name from an open-data placeholder: « A COMPLETER » (in
any case, with or without accents, alone or followed by a hint: « A COMPLETER (JEAN ZAY) ») or
an address standing for the name (« 17 RUE DE LA MAIRIE »). The importers set
``School.name_needs_review`` from it; the list shows such schools last, with a badge « Nom à
corriger »."""

import re

from tne.core.text import search_text

PLACEHOLDER_NAMES = frozenset({"A COMPLETER"})
# A number (« 17 », « 1 bis »), then a kind of street: an address, not a name.
ADDRESS_RE = re.compile(
    r"^\d+\s*(?:BIS|TER)?\s+(?:RUE|AVENUE|PLACE|CHEMIN|BD|BOULEVARD|ROUTE|ALLEE)\b"
)


def name_needs_review(name: str) -> bool:
    """Whether ``name`` is a placeholder rather than the name of a school."""
    text = search_text(name or "")  # Upper case, no accents, words separated by one space.
    return (
        not text
        or any(text == p or text.startswith(p + " ") for p in PLACEHOLDER_NAMES)
        or bool(ADDRESS_RE.match(text))
    )
