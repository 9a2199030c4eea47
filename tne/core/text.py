"""The one normaliser of searched text: what a name is stored as for search and order, what the
words typed go through, and the query that matches them."""

import re
import unicodedata

from django.db.models import Q


def plain_upper(text: str) -> str:
    """« Collège Gérard Œuvre » → « COLLEGE GERARD OEUVRE »: upper case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_NOT_A_WORD = re.compile(r"[\W_]+")
# Abbreviations written both ways in the official names, and typed both ways.
_WORD_EXPANSIONS = {"ST": "SAINT", "STE": "SAINTE"}


def search_text(text: str) -> str:
    """The searchable text of a name, stored and compared with the words typed, which go through
    it too: upper case without accents, words separated by one space whatever separated them
    (hyphens, apostrophes, punctuation), « St » and « Ste » written in full. « St-Quentin »,
    « saint quentin » and « Saint-Quentin » all give « SAINT QUENTIN »; « L'Isle-Adam » gives
    « L ISLE ADAM ». Its order is the French alphabetical order of the names."""
    words = _NOT_A_WORD.sub(" ", plain_upper(text)).split()
    return " ".join(_WORD_EXPANSIONS.get(word, word) for word in words)


def words_q(query: str, field: str = "search_name") -> Q:
    """Rows whose ``field`` (written by ``search_text``) holds every word of ``query``:
    « saint quentin », « quentin st » and « Saint-Quentin » find « SAINT QUENTIN »."""
    return Q(*(Q(**{f"{field}__contains": word}) for word in search_text(query).split()))
