"""French numbers and plurals: « 1 234 », « 98,2 », « 1 234,50 € », « 2 établissements »."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from tne.core.formats import NBSP, THOUSANDS, euros, fr_decimal, fr_number, plural, plural_word


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0, "0"),
        (999, "999"),
        (1000, f"1{THOUSANDS}000"),
        (1234567, f"1{THOUSANDS}234{THOUSANDS}567"),
        (-43000, f"-43{THOUSANDS}000"),
        (None, ""),
        ("n.c.", "n.c."),
    ],
)
def test_whole_numbers_group_their_thousands_with_a_narrow_no_break_space(value, written):
    assert fr_number(value) == written


@pytest.mark.parametrize(
    ("value", "places", "written"),
    [
        (Decimal("98.2"), None, "98,2"),
        (98.25, 1, "98,3"),
        (Decimal("1234.5"), 2, f"1{THOUSANDS}234,50"),
        (Decimal("-0.05"), 1, "-0,1"),
        (7, 2, "7,00"),
    ],
)
def test_decimals_take_a_comma(value, places, written):
    assert fr_decimal(value, places) == written


def test_euros_show_cents_only_when_there_are_some_and_a_no_break_space_before_the_sign():
    assert euros(Decimal("1234.5")) == f"1{THOUSANDS}234,50{NBSP}€"
    assert euros(Decimal("9000000.00")) == f"9{THOUSANDS}000{THOUSANDS}000{NBSP}€"
    assert euros(0) == f"0{NBSP}€"
    assert euros(None) == ""


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_grouped_number_reads_back_and_its_groups_have_three_digits(number):
    written = fr_number(number)

    assert int(written.replace(THOUSANDS, "")) == number
    groups = written.lstrip("-").split(THOUSANDS)
    assert 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_a_decimal_reads_back_through_its_comma(number):
    written = fr_decimal(number, 2)

    assert Decimal(written.replace(THOUSANDS, "").replace(",", ".")) == number


@pytest.mark.parametrize(
    ("count", "written"),
    [
        (0, f"0{NBSP}établissement"),
        (1, f"1{NBSP}établissement"),
        (2, f"2{NBSP}établissements"),
        (43000, f"43{THOUSANDS}000{NBSP}établissements"),
    ],
)
def test_french_counts_0_and_1_in_the_singular(count, written):
    assert plural(count, "établissement|établissements") == written


@given(st.integers(min_value=0, max_value=10**6))
def test_the_form_agrees_with_the_count(count):
    word = plural_word(count, "rôle attribué|rôles attribués")

    assert word == ("rôles attribués" if count >= 2 else "rôle attribué")
    assert plural_word(count, "jour") == ("jours" if count >= 2 else "jour")


def test_the_template_filters_write_the_same():
    template = Template(
        '{% load tne_formats %}{{ n|plural:"commune|communes" }}/{{ n|fr_number }}/'
        "{{ ips|fr_decimal:1 }}/{{ price|euros }}"
    )

    html = template.render(Context({"n": 1234, "ips": Decimal("98.25"), "price": 12.5}))

    assert html == f"1{THOUSANDS}234{NBSP}communes/1{THOUSANDS}234/98,3/12,50{NBSP}€"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_fr_number_of_an_int_is_fr_decimal_of_it(value):
    assert fr_number(value) == fr_decimal(value)
