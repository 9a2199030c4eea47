"""Parsers of the cells of the open-data files that know the territory's vocabulary (UAI, INSEE
codes, sectors, kinds of school, school years); the generic ones (text, numbers) are in
:mod:`tne.core.cells`. Each returns a clean value or raises :class:`CellError`."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from tne.core.cells import parse_decimal
from tne.core.rowerrors import CellError
from tne.core.text import plain_upper
from tne.territory.enums import SchoolKind, Sector
from tne.territory.validators import normalise_uai, validate_uai

_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEPARTEMENT_RE = re.compile(r"^0?(?:\d{2}|2[AB])$|^9[78]\d$")


# The bounds an IPS must fall in (national mean ≈ 100; the open data ranges from 45 to 185).
IPS_BOUNDS = {"minimum": Decimal(0), "maximum": Decimal(300)}


def parse_ips(value: str, *, required: bool = True) -> Decimal | None:
    ips = parse_decimal(value, **IPS_BOUNDS)
    if ips is None and required:
        raise CellError("IPS manquant.")
    return ips


def parse_uai(value: str) -> str:
    uai = normalise_uai(value)
    try:
        validate_uai(uai)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return uai


def parse_commune_code(value: str) -> str:
    code = value.strip().upper()
    if not _COMMUNE_RE.match(code):
        raise CellError(f"« {value.strip()} » n'est pas un code INSEE de commune (5 caractères).")
    return code


def normalise_departement_code(value: str) -> str:
    """``002`` → ``02``, ``02A`` → ``2A``, ``971`` → ``971``, ``95`` → ``95``."""
    code = value.strip().upper()
    if not _DEPARTEMENT_RE.match(code):
        raise CellError(f"« {value.strip()} » n'est pas un code de département.")
    return code[1:] if len(code) == 3 and code.startswith("0") else code


def departement_code_of_commune(commune_code: str) -> str:
    """The département of a commune from its INSEE code: 3 characters overseas (97x, 98x)."""
    return commune_code[:3] if commune_code[:2] in ("97", "98") else commune_code[:2]


_SECTORS = {
    "PUBLIC": Sector.PUBLIC,
    "PRIVE": Sector.PRIVATE,
    "PRIVE SOUS CONTRAT": Sector.PRIVATE,
}


def plain(value: str) -> str:
    """Upper case without accents: « Élémentaire » → « ELEMENTAIRE »."""
    return plain_upper(value.strip())


def parse_sector(value: str) -> str:
    try:
        return _SECTORS[" ".join(plain(value).split())]
    except KeyError:
        raise CellError(
            f"secteur « {value.strip()} » inconnu (public ou privé sous contrat attendu)."
        ) from None


def ecole_kind(name: str) -> str:
    """The kind of an école from its name; a name that says neither élémentaire nor maternelle
    (« ECOLE PRIMAIRE », « GROUPE SCOLAIRE ») is a primaire."""
    words = plain(name)
    if "PRIMAIRE" in words:
        return SchoolKind.PRIMAIRE
    elementaire, maternelle = "ELEMENTAIRE" in words, "MATERNELLE" in words
    if elementaire and not maternelle:
        return SchoolKind.ELEMENTAIRE
    if maternelle and not elementaire:
        return SchoolKind.MATERNELLE
    return SchoolKind.PRIMAIRE


_LYCEE_KINDS = {
    "LEGT": SchoolKind.LYCEE_GT,
    "LP": SchoolKind.LYCEE_PRO,
    "LPO": SchoolKind.LYCEE_POLY,
}


def lycee_kind(value: str) -> str:
    try:
        return _LYCEE_KINDS[value.strip().upper()]
    except KeyError:
        raise CellError(f"type de lycée « {value.strip()} » inconnu (LEGT, LP ou LPO).") from None


def school_year_of(rentree: str) -> str:
    """« 2021-2022 » stays, « 2023 » (a rentrée) becomes « 2023-2024 »."""
    value = rentree.strip()
    if re.match(r"^\d{4}-\d{4}$", value) and int(value[5:]) == int(value[:4]) + 1:
        return value
    if re.match(r"^\d{4}$", value):
        return f"{value}-{int(value) + 1}"
    raise CellError(f"« {value} » n'est pas une année scolaire (2023 ou 2023-2024).")


def school_year_of_session(session: str) -> str:
    """The school year of an exam session: the brevet of June 2021 closes « 2020-2021 »."""
    value = session.strip()
    if not re.match(r"^\d{4}$", value):
        raise CellError(f"« {value} » n'est pas une année de session (2021).")
    return f"{int(value) - 1}-{value}"
