"""The types of the parameters of every router: a text without control characters and of bounded
length, a code, a search, a finite number within a range. Each one refuses what the database
cannot take (a NUL character, ``nan``, ``1e400``, a thousand words) with a 422 whose French
message names the parameter (:mod:`tne.api.errors` translates the errors), instead of a 500.

    class SchoolFilters(FilterSchema):
        departement: Code | None = Field(None, description="…")
        ips_min: Annotated[finite(0, 1000) | None, FilterLookup("ips__gte")] = Field(None, …)
        q: Search | None = Field(None, description="…")

Use them for every string or float parameter of a new router (query, path): the OpenAPI then
says the bounds, and the fuzzing test (``tests/api/test_fuzzing.py``) checks them.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 10
CODE_MAX_LENGTH = 20
TEXT_MAX_LENGTH = 200

NBSP = "\u00a0"

# What a pattern means, for the French message of a value that does not match it (the errors
# translator reads it): « une UAI : 7 chiffres et une lettre… » rather than the regex.
PATTERN_HINTS: dict[str, str] = {}


def pattern(regex: str, hint: str) -> str:
    """``regex``, remembered with the French ``hint`` its error message gives."""
    PATTERN_HINTS[regex] = hint
    return regex


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        raise ValueError(f"caractère de contrôle interdit{NBSP}; ôtez-le")
    return value


def _bounded_search(value: str) -> str:
    if len(value.split()) > SEARCH_MAX_WORDS:
        raise ValueError(f"{SEARCH_MAX_WORDS} mots au plus")
    return value


def text(max_length: int = TEXT_MAX_LENGTH):
    """A text of at most ``max_length`` characters, none of them a control character."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_control_characters)]


Text = text()
Code = text(CODE_MAX_LENGTH)
"""An official code (département « 02 », commune « 02408 »…), at most 20 characters."""

Search = Annotated[
    str,
    Field(max_length=SEARCH_MAX_LENGTH),
    AfterValidator(_no_control_characters),
    AfterValidator(_bounded_search),
]
"""A search typed by a person: 100 characters and 10 words at most, as in the interface."""

UAI_PATTERN = pattern(
    r"^[0-9]{7}[A-Za-z]$", f"une UAI{NBSP}: 7{NBSP}chiffres et une lettre, «{NBSP}0020001A{NBSP}»"
)
Uai = Annotated[str, Field(pattern=UAI_PATTERN, max_length=8)]


def finite(minimum: float, maximum: float):
    """A float parameter: finite (no ``nan``, ``inf``, ``1e400``) and within [minimum, maximum]."""
    return Annotated[float, Field(allow_inf_nan=False, ge=minimum, le=maximum)]


def hint_of(regex: str) -> str | None:
    return PATTERN_HINTS.get(regex) or PATTERN_HINTS.get(re.sub(r"^\^|\$$", "", regex))
