"""Control characters in imported text: a single-line text holding a C0 control character
(U+0000 to U+001F, tabulation and line breaks included) or DEL is refused with its code and
position; the CSV reader refuses NUL, ESC and the like in any cell, with its line and column."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.territory.helpers_importers import fixture, table_counts
from tne.core.cells import Cells, required_text, text
from tne.core.rowerrors import CellError, ErrorCollector, ImportFileError
from tne.core.tabular import CsvTable
from tne.territory.importers import import_file

CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f"]
control = st.sampled_from(CONTROLS)
# Texts without any control character (C0, DEL), surrogates excluded (not valid in a file).
clean = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROLS))


@given(before=clean, char=control, after=clean)
def test_any_text_holding_a_control_character_is_refused(before, char, after):
    with pytest.raises(CellError) as caught:
        text(before + char + after, max_length=10_000)

    assert f"caractère de contrôle interdit (U+{ord(char):04X})" in str(caught.value)


@given(value=clean)
def test_any_text_without_control_character_is_returned_stripped(value):
    assert text(value, max_length=10_000) == value.strip()


def test_the_message_names_the_code_and_the_position_from_one():
    with pytest.raises(CellError) as caught:
        required_text("École Jean\x00Macé")

    assert str(caught.value).startswith(
        "caractère de contrôle interdit (U+0000) à la position 11 :"
    )


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x1b", "\x7f"])
def test_a_tabulation_a_line_break_or_del_at_the_end_is_refused_not_stripped(char):
    with pytest.raises(CellError):
        text("École" + char)


def test_every_parser_read_through_cells_refuses_a_control_character():
    diagnostics = ErrorCollector("f.csv")
    cells = Cells(4, {"n": "12\t", "name": "ok"}, diagnostics)

    assert cells("n", lambda value: value.strip()) is None
    assert cells("name") == "ok"
    assert not cells.ok
    assert str(diagnostics.errors[0]).startswith(
        "f.csv, ligne 4, colonne « n » : caractère de contrôle interdit (U+0009) à la position 3"
    )


def test_the_csv_reader_reports_a_nul_with_its_line_and_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a;b\n1;2\n3;"x\x00y"\n4;"multi\nligne"\n', encoding="utf-8")
    errors = []

    rows = list(CsvTable(path).rows(on_error=lambda *error: errors.append(error)))

    assert rows == [(2, {"a": "1", "b": "2"}), (4, {"a": "4", "b": "multi\nligne"})]
    assert errors == [
        (
            3,
            "b",
            "caractère de contrôle interdit (U+0000) à la position 2 : tabulations, "
            "retours à la ligne et autres caractères de contrôle ne sont pas acceptés dans un "
            "texte d'une ligne.",
        )
    ]


def test_a_control_character_in_the_header_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b\x1b\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as caught:
        CsvTable(path)

    assert "ligne 1 : en-tête : caractère de contrôle interdit (U+001B)" in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\t"])
def test_an_import_with_a_control_character_in_a_name_is_refused_and_writes_nothing(
    tmp_path, tree, char
):
    source = fixture("ips_ecoles.csv").read_text(encoding="utf-8")
    assert "ECOLE ELEMENTAIRE LE VILLAGE" in source
    path = tmp_path / "ips.csv"
    path.write_text(source.replace("LE VILLAGE", f"LE{char}VILLAGE"), encoding="utf-8")
    line = next(i for i, row in enumerate(source.splitlines(), 1) if "LE VILLAGE" in row)
    before = table_counts()

    with pytest.raises(ImportFileError) as caught:
        import_file(path)

    [error] = caught.value.errors
    assert (error.file, error.line, error.column) == ("ips.csv", line, "Nom de l'établissment")
    assert error.message.startswith(
        f"caractère de contrôle interdit (U+{ord(char):04X}) à la position 21"
    )
    assert table_counts() == before
