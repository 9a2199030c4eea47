"""The cells of the open-data files that only the territory reads: UAI, départements, communes,
kinds of school, sectors, school years."""

import pytest

from tne.core.rowerrors import CellError
from tne.territory.enums import SchoolKind, Sector
from tne.territory.importers.reference import departement
from tne.territory.importers.values import (
    departement_code_of_commune,
    ecole_kind,
    lycee_kind,
    normalise_departement_code,
    parse_commune_code,
    parse_sector,
    parse_uai,
    school_year_of,
    school_year_of_session,
)


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
