"""Euros the French way: shown with narrow no-break spaces, read from what people type, exact."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tne.core.formats import AmountError, parse_euros
from tne.core.formats import euros as format_euros
from tne.core.templatetags.tne_formats import euros


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("9000000"), "9\u202f000\u202f000\u00a0€"),
        (Decimal("9000000.00"), "9\u202f000\u202f000\u00a0€"),
        (Decimal("1234.5"), "1\u202f234,50\u00a0€"),
        (Decimal("0.07"), "0,07\u00a0€"),
        (Decimal("999"), "999\u00a0€"),
        (27_300_000, "27\u202f300\u202f000\u00a0€"),
    ],
)
def test_it_shows_euros_the_french_way(amount, shown):
    assert format_euros(amount) == shown
    assert euros(amount) == shown


def test_the_filter_shows_nothing_for_no_amount():
    assert euros(None) == ""


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("9 000 000,00", Decimal("9000000.00")),
        ("9000000.5", Decimal("9000000.5")),
        ("9\u202f000\u202f000\u00a0€", Decimal("9000000")),
        ("1 234,50 €", Decimal("1234.50")),
        ("9.000.000", Decimal("9000000")),
        ("9.000.000,25", Decimal("9000000.25")),
        ("1.500", Decimal("1500")),
        ("12,5", Decimal("12.5")),
        ("0,01", Decimal("0.01")),
    ],
)
def test_it_reads_what_people_type(typed, amount):
    parsed = parse_euros(typed)

    assert parsed == amount
    assert isinstance(parsed, Decimal)


@pytest.mark.parametrize(
    "typed", ["", "abc", "1,2,3", "12,345", "1.2.3", "-5", "1e6", "9 000,00,0", "12.3456"]
)
def test_it_refuses_what_is_not_an_amount(typed):
    with pytest.raises(AmountError):
        parse_euros(typed)


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_what_is_shown_reads_back_exactly(amount):
    assert parse_euros(format_euros(amount)) == amount
