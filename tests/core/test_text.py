"""The normaliser of searched text and the query that matches every word typed."""

import pytest
from django.db.models import Q
from hypothesis import given
from hypothesis import strategies as st

from tne.core.text import plain_upper, search_text, words_q


@pytest.mark.parametrize(
    ("text", "searchable"),
    [
        ("Château-Thierry", "CHATEAU THIERRY"),
        ("L'Isle-Adam", "L ISLE ADAM"),
        ("L’Isle-Adam", "L ISLE ADAM"),
        ("  saint   quentin ", "SAINT QUENTIN"),
        ("St-Quentin", "SAINT QUENTIN"),
        ("Ste-Geneviève", "SAINTE GENEVIEVE"),
        ("Collège Gérard Œuvre", "COLLEGE GERARD OEUVRE"),
        ("École (annexe), 2", "ECOLE ANNEXE 2"),
        ("STADE", "STADE"),
        ("", ""),
    ],
)
def test_search_text_ignores_accents_case_and_separators(text, searchable):
    assert search_text(text) == searchable


def test_plain_upper_keeps_the_separators():
    assert plain_upper("Élémentaire l'Œuvre") == "ELEMENTAIRE L'OEUVRE"


@given(st.text(max_size=30))
def test_search_text_is_idempotent_and_has_single_spaces(text):
    once = search_text(text)

    assert search_text(once) == once
    assert "  " not in once and once == once.strip()


def test_words_q_asks_for_every_word_in_any_order_on_the_field():
    assert words_q("Quentin st-") == words_q("quentin saint")
    expected = Q(Q(nom__contains="SAINT"), Q(nom__contains="QUENTIN"))
    assert words_q("Saint-Quentin", field="nom") == expected
    assert not words_q("  - ").children
