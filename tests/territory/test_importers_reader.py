"""Reading the CSV files and their cells: the quirks of the real files, and precise errors."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tne.territory.enums import SchoolKind, Sector
from tne.territory.importers import ImportFileError
from tne.territory.importers.errors import CellError
from tne.territory.importers.reader import read_rows, sniff_delimiter
from tne.territory.importers.reference import departement
from tne.territory.importers.values import (
    departement_code_of_commune,
    ecole_kind,
    lycee_kind,
    normalise_departement_code,
    parse_commune_code,
    parse_decimal,
    parse_float,
    parse_int,
    parse_sector,
    parse_uai,
    school_year_of,
    school_year_of_session,
)


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


def test_uai_check_letter_is_verified():
    assert parse_uai(" 0020981f ") == "0020981F"
    with pytest.raises(CellError, match="lettre de contrôle"):
        parse_uai("0020981G")
    with pytest.raises(CellError, match="n'est pas un UAI"):
        parse_uai("002098")


@pytest.mark.parametrize(
    ("written", "code"),
    [("002", "02"), ("02", "02"), ("095", "95"), ("02A", "2A"), ("2B", "2B"), ("971", "971")],
)
def test_departement_codes_are_normalised(written, code):
    assert normalise_departement_code(written) == code


def test_an_unknown_departement_is_an_error():
    assert departement("002").academie_name == "Amiens"
    assert departement("095").region_code == "11"
    with pytest.raises(CellError, match="inconnu"):
        departement("099")
    with pytest.raises(CellError, match="n'est pas un code de département"):
        departement("Aisne")


@pytest.mark.parametrize(
    ("commune", "dep"),
    [("02408", "02"), ("95127", "95"), ("2A004", "2A"), ("97101", "971"), ("98818", "988")],
)
def test_the_departement_of_a_commune_comes_from_its_code(commune, dep):
    assert departement_code_of_commune(parse_commune_code(commune)) == dep


def test_a_bad_commune_code_is_an_error():
    with pytest.raises(CellError, match="code INSEE"):
        parse_commune_code("2408")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ECOLE ELEMENTAIRE LE VILLAGE", SchoolKind.ELEMENTAIRE),
        ("École élémentaire Jean Moulin", SchoolKind.ELEMENTAIRE),
        ("ECOLE MATERNELLE", SchoolKind.MATERNELLE),
        ("ECOLE PRIMAIRE LOUISE MACAULT 2", SchoolKind.PRIMAIRE),
        ("GROUPE SCOLAIRE DE CROUY", SchoolKind.PRIMAIRE),
        ("ECOLE MATERNELLE ET ELEMENTAIRE", SchoolKind.PRIMAIRE),
        ("A COMPLETER", SchoolKind.PRIMAIRE),
    ],
)
def test_the_kind_of_an_ecole_comes_from_its_name(name, kind):
    assert ecole_kind(name) == kind


def test_lycee_types_sectors_and_years():
    assert lycee_kind("LEGT") == SchoolKind.LYCEE_GT
    assert lycee_kind("LP") == SchoolKind.LYCEE_PRO
    assert lycee_kind("LPO") == SchoolKind.LYCEE_POLY
    with pytest.raises(CellError, match="type de lycée"):
        lycee_kind("EREA")
    assert parse_sector("privé sous contrat") == Sector.PRIVATE
    assert parse_sector("PRIVE") == Sector.PRIVATE
    assert parse_sector("Public") == Sector.PUBLIC
    with pytest.raises(CellError, match="secteur"):
        parse_sector("associatif")
    assert school_year_of("2021-2022") == "2021-2022"
    assert school_year_of("2023") == "2023-2024"
    with pytest.raises(CellError):
        school_year_of("2021-2023")
    assert school_year_of_session("2021") == "2020-2021"
