"""The parsers of the delivery and inventory files, on generated input: a date is read or refused
with a French message, never an exception of another kind; any text a CSV or XLSX cell can hold
reads back as the same text."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tne.core.cells import CellError
from tne.core.sheets import cell_text
from tne.equipment.services.deliveries import add_months, parse_date

PAST = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date.today())


@given(PAST)
def test_a_date_reads_the_same_written_the_french_or_the_iso_way(day):
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f" {day.day}/{day.month}/{day.year} ") == day


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_any_text_is_a_date_or_a_cell_error(value):
    try:
        result = parse_date(value)
    except CellError as exc:
        assert str(exc)
    else:
        assert isinstance(result, datetime.date) and result <= datetime.date.today()


@given(st.dates(min_value=datetime.date.today() + datetime.timedelta(days=1)))
def test_a_date_in_the_future_is_refused(day):
    with pytest.raises(CellError, match="dans le futur"):
        parse_date(day.isoformat())


@given(PAST, st.integers(min_value=0, max_value=240))
def test_adding_months_lands_in_the_right_month_never_past_its_end(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_a_whole_number_cell_reads_without_a_decimal_part(value):
    assert cell_text(value) == str(value)
    assert cell_text(float(value)) == str(value)


SERIALS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s)


@given(st.lists(SERIALS, min_size=1, max_size=5, unique=True), st.sampled_from([";", ","]))
@settings(max_examples=60, deadline=None)
def test_the_serials_of_a_csv_file_read_back_as_written(tmp_path_factory, serials, delimiter):
    import csv

    from tne.core.tabular import CsvTable

    path = tmp_path_factory.mktemp("csv") / "livraison.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["numero_serie", "reference_modele", "numero_commande", "date_livraison"])
        for serial in serials:
            writer.writerow([serial, "REF", "CMD", "20/11/2026"])

    table = CsvTable(path)

    assert [row["numero_serie"] for _, row in table.rows()] == serials
