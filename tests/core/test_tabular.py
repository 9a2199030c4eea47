"""Reading CSV files and their cells: the quirks of real files, and precise errors."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tne.core.cells import Cells, parse_decimal, parse_flag, parse_float, parse_int, required_text
from tne.core.rowerrors import MAX_ERRORS, CellError, ErrorCollector, ImportFileError, RowError
from tne.core.tabular import CsvTable, read_rows, sniff_delimiter


def write(tmp_path, content: str | bytes, name="fichier.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_it_reads_a_semicolon_file_with_line_numbers(tmp_path):
    path = write(tmp_path, "UAI;IPS\n0020981F;87.8\n0022061E;65.3\n")

    assert list(read_rows(path)) == [
        (2, {"UAI": "0020981F", "IPS": "87.8"}),
        (3, {"UAI": "0022061E", "IPS": "65.3"}),
    ]


def test_it_drops_the_utf8_bom_and_reads_accented_headers(tmp_path):
    path = write(tmp_path, "\ufeffRentrée scolaire;UAI\n2023;0010026Y\n")

    assert list(read_rows(path)) == [(2, {"Rentrée scolaire": "2023", "UAI": "0010026Y"})]


def test_it_sniffs_commas_quoted_headers_and_skips_the_unnamed_index_column(tmp_path):
    path = write(
        tmp_path,
        ',"numero_college","taux_de_reussite"\n"1","0010002X","74,3"\n"2","0010005A","92,2"\n',
    )

    assert list(read_rows(path)) == [
        (2, {"numero_college": "0010002X", "taux_de_reussite": "74,3"}),
        (3, {"numero_college": "0010005A", "taux_de_reussite": "92,2"}),
    ]


def test_a_comma_inside_quotes_does_not_make_the_header_comma_separated():
    assert sniff_delimiter('"a,b";c;d') == ";"
    assert sniff_delimiter('a,"b;c",d') == ","


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(tmp_path):
    path = write(tmp_path, "UAI;IPS\r\n0020981F;87.8\r\n\r\n0022061E;65.3\r\n")

    assert [line for line, _ in read_rows(path)] == [2, 4]


def test_a_line_with_missing_cells_is_an_error_naming_file_line_and_column(tmp_path):
    path = write(tmp_path, "UAI;Secteur;IPS\n0020981F;public;87.8\n0022061E;public\n")

    with pytest.raises(ImportFileError) as caught:
        list(read_rows(path))

    (error,) = caught.value.errors
    assert (error.file, error.line, error.column) == ("fichier.csv", 3, "IPS")
    assert "2 colonnes au lieu de 3" in error.message
    assert "fichier.csv, ligne 3, colonne « IPS »" in str(caught.value)


def test_a_line_with_extra_cells_is_an_error(tmp_path):
    path = write(tmp_path, "UAI;IPS\n0020981F;87.8;oops\n")

    with pytest.raises(ImportFileError) as caught:
        list(read_rows(path))

    assert caught.value.errors[0].line == 2
    assert "3 colonnes au lieu de 2" in caught.value.errors[0].message


def test_with_an_error_callback_bad_lines_are_reported_and_skipped(tmp_path):
    path = write(tmp_path, "UAI;IPS\n0020981F\n0022061E;65.3\n")
    seen = []

    rows = list(read_rows(path, on_error=lambda *error: seen.append(error)))

    assert rows == [(3, {"UAI": "0022061E", "IPS": "65.3"})]
    assert seen == [(2, "IPS", "1 colonnes au lieu de 2 (séparateur « ; »).")]


def test_a_missing_required_column_is_named(tmp_path):
    path = write(tmp_path, "UAI;Secteur\n0020981F;public\n")

    with pytest.raises(ImportFileError) as caught:
        list(read_rows(path, required=["UAI", "IPS"]))

    (error,) = caught.value.errors
    assert (error.line, error.column) == (1, "IPS")
    assert "colonne obligatoire absente" in error.message


def test_a_file_not_in_utf8_is_refused_with_the_line(tmp_path):
    path = write(tmp_path, "UAI;Nom\n0020981F;ECOLE\n0022061E;ÉCOLE\n".encode("latin-1"))

    with pytest.raises(ImportFileError) as caught:
        list(read_rows(path))

    assert caught.value.errors[0].line == 3
    assert "UTF-8" in caught.value.errors[0].message


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(ImportFileError, match="vide"):
        list(read_rows(write(tmp_path, "")))


def test_a_duplicated_column_is_refused(tmp_path):
    with pytest.raises(ImportFileError, match="colonne « UAI »"):
        list(read_rows(write(tmp_path, "UAI;UAI\n1;2\n")))


# Text that a CSV cell may hold: anything printable, with separators, quotes and line breaks.
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from([";", ",", '"', "\n", " "]),
    max_size=12,
)


@given(
    header=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzé_", min_size=1, max_size=8),
        min_size=2,
        max_size=5,
        unique=True,
    ),
    data=st.data(),
    delimiter=st.sampled_from([";", ","]),
    bom=st.booleans(),
)
def test_any_table_written_by_a_csv_writer_reads_back_identically(
    tmp_path_factory, header, data, delimiter, bom
):
    rows = data.draw(
        st.lists(st.lists(cell_text, min_size=len(header), max_size=len(header)), max_size=5)
    )
    rows = [row for row in rows if any(row)]  # a record of empty cells is a blank line
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))

    read = [record for _, record in read_rows(path)]

    assert read == [dict(zip(header, row, strict=True)) for row in rows]


@given(st.decimals(min_value=-9999, max_value=9999, places=1, allow_nan=False))
def test_a_decimal_reads_the_same_with_a_point_or_a_comma(number):
    written = str(number)

    assert parse_decimal(written) == number
    assert parse_decimal(written.replace(".", ",")) == number


@given(st.integers(min_value=0, max_value=10**6))
def test_an_integer_reads_back(number):
    assert parse_int(str(number)) == number
    assert parse_decimal(str(number)) == Decimal(number)


@given(st.text(max_size=10))
def test_the_number_parser_returns_a_number_or_says_why_never_anything_else(value):
    try:
        result = parse_decimal(value)
    except CellError as exc:
        assert str(exc)
    else:
        assert result is None or isinstance(result, Decimal)


@pytest.mark.parametrize("value", ["abc", "1.234,5", "12 3", "NaN", "1e3", "--1", "98,2%"])
def test_non_numbers_are_errors(value):
    with pytest.raises(CellError, match="n'est pas un nombre"):
        parse_decimal(value)


def test_decimals_are_rounded_to_the_field_precision_and_bounded():
    assert parse_decimal("98,25") == Decimal("98.3")
    assert parse_decimal(" ") is None
    with pytest.raises(CellError, match="hors de l'intervalle"):
        parse_decimal("301", minimum=Decimal(0), maximum=Decimal(300))
    assert parse_float("49,5678", minimum=-90, maximum=90) == pytest.approx(49.5678)
    with pytest.raises(CellError, match="hors de l'intervalle"):
        parse_float("91", minimum=-90, maximum=90)


def test_a_flag_is_0_or_1_and_text_is_bounded():
    assert parse_flag(" 1 ") is True
    assert parse_flag("0") is False
    with pytest.raises(CellError, match="0 ou 1 attendu"):
        parse_flag("oui")
    with pytest.raises(CellError, match="valeur manquante"):
        required_text("  ")
    with pytest.raises(CellError, match="texte trop long"):
        required_text("abcdef", max_length=5)


def test_a_tab_separated_file_is_read_and_its_header_kept(tmp_path):
    table = CsvTable(write(tmp_path, "a\tb\n1\t2\n"), label="Mon fichier")

    assert (table.delimiter, table.header, table.label) == ("\t", ["a", "b"], "Mon fichier")
    assert list(table.rows()) == [(2, {"a": "1", "b": "2"})]


# --- Row errors -------------------------------------------------------------------------------


def test_a_row_error_reads_as_an_item_or_as_a_sentence():
    error = RowError("bad.csv", 3, "uai", "valeur manquante.")

    assert str(error) == "bad.csv, ligne 3, colonne « uai » : valeur manquante."
    assert error.sentence == "Fichier « bad.csv », ligne 3, colonne « uai » : valeur manquante."
    assert str(RowError("bad.csv", None, None, "vide.")) == "bad.csv : vide."


def test_a_refused_file_lists_its_first_errors_and_counts_the_others():
    errors = [RowError("f.csv", line, None, "illisible.") for line in range(2, 14)]

    message = ImportFileError(errors).message

    assert message.startswith("Fichier refusé, rien n'a été enregistré : 12\xa0erreurs.")
    assert "- f.csv, ligne 11 : illisible." in message
    assert "ligne 12" not in message
    assert message.endswith("- … et 2\xa0autres.")
    assert ImportFileError(errors[:1]).message.splitlines()[0].endswith(": 1\xa0erreur.")


def test_the_collector_gathers_every_error_then_stops_past_the_limit():
    collector = ErrorCollector("f.csv", limit=3)
    collector.add(2, "a", "un.")
    collector.warn(2, "b", "à savoir.")
    collector.add(3, "a", "deux.")

    with pytest.raises(ImportFileError) as caught:
        collector.add(4, "a", "trois.")

    assert [e.line for e in caught.value.errors] == [2, 3, 4]
    assert [str(w) for w in collector.warnings] == ["f.csv, ligne 2, colonne « b » : à savoir."]
    assert ErrorCollector("f.csv").limit == MAX_ERRORS


def test_the_cells_of_a_record_record_each_parser_error_with_its_column():
    collector = ErrorCollector("f.csv")
    cells = Cells(5, {"n": "12", "x": "douze"}, collector)

    assert cells("n", parse_int) == 12
    assert cells("x", parse_int) is None
    assert not cells.ok
    with pytest.raises(ImportFileError, match="ligne 5, colonne « x »"):
        collector.raise_if_any()
