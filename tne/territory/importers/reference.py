"""The reference of départements → académie → région (``tne/territory/data/departements.csv``,
built from the national collèges file of data.education.gouv.fr, Licence Ouverte / Etalab 2.0)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tne.core.rowerrors import CellError

from .values import normalise_departement_code

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "departements.csv"
COUNTRY_CODE = "FR"
COUNTRY_NAME = "France"


@dataclass(frozen=True)
class DepartementRef:
    code: str
    name: str
    academie_code: str
    academie_name: str
    region_code: str
    region_name: str


@cache
def departements() -> dict[str, DepartementRef]:
    with REFERENCE_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["code_departement"]: DepartementRef(
                code=row["code_departement"],
                name=row["departement"],
                academie_code=row["code_academie"],
                academie_name=row["academie"],
                region_code=row["code_region"],
                region_name=row["region"],
            )
            for row in csv.DictReader(handle, delimiter=";")
        }


def departement(value: str) -> DepartementRef:
    """The reference of a département written ``02``, ``002``, ``2A`` or ``971``."""
    code = normalise_departement_code(value)
    try:
        return departements()[code]
    except KeyError:
        raise CellError(f"département « {code} » inconnu du référentiel.") from None
