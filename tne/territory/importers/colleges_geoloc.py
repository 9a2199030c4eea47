"""``fr-en-adresse-et-geolocalisation_colleges``: every collège with its official name, address,
coordinates and sector. The reference list of collèges: creates and updates them."""

import re

from tne.core.cells import parse_float, text
from tne.core.rowerrors import CellError
from tne.territory.enums import SchoolKind, Sector

from .base import Cells, SchoolImporter
from .schools import SchoolRow
from .values import parse_sector, parse_uai


def parse_postcode(value: str) -> str:
    value = value.strip()
    if value and not re.match(r"^\d{5}$", value):
        raise CellError(f"« {value} » n'est pas un code postal (5 chiffres).")
    return value


class CollegesGeolocImporter(SchoolImporter):
    """A few collèges about to open have no official name yet: their name is then made of
    their denomination and patronym, or says it is not published, with a warning."""

    kind = "colleges_geoloc"
    school_kinds = (SchoolKind.COLLEGE,)
    label = "Collèges (adresses et coordonnées)"
    columns = (
        "numero_uai",
        "appellation_officielle",
        "denomination_principale",
        "patronyme_uai",
        "secteur_public_prive_libe",
        "secteur_prive_code_type_contrat",
        "adresse_uai",
        "lieu_dit_uai",
        "code_postal_uai",
        "libelle_commune",
        "latitude",
        "longitude",
        "code_departement",
        "code_commune",
    )
    key_column = "numero_uai"
    commune_column = "code_commune"

    def parse(self, cells: Cells) -> SchoolRow:
        # The street, or the locality when the collège has no street address.
        address = cells("adresse_uai", text) or cells("lieu_dit_uai", text)
        return SchoolRow(
            line=cells.line,
            uai=cells("numero_uai", parse_uai),
            commune=cells.commune(
                code_column=self.commune_column,
                name_column="libelle_commune",
                departement_column="code_departement",
            ),
            owner="departement",
            values={
                "name": self._name(cells),
                "kind": SchoolKind.COLLEGE,
                "sector": self._sector(cells),
                "address": address,
                "postcode": cells("code_postal_uai", parse_postcode),
                "latitude": cells("latitude", parse_float, minimum=-90, maximum=90),
                "longitude": cells("longitude", parse_float, minimum=-180, maximum=180),
            },
        )

    @staticmethod
    def _sector(cells: Cells) -> str:
        sector = cells("secteur_public_prive_libe", parse_sector)
        # Contract type 10 is « HORS CONTRAT »: a private collège outside the programme.
        if sector == Sector.PRIVATE and cells("secteur_prive_code_type_contrat") == "10":
            return Sector.PRIVATE_NO_CONTRACT
        return sector

    @staticmethod
    def _name(cells: Cells) -> str:
        official = cells("appellation_officielle", text)
        if official:
            return official
        built = " ".join(
            part for part in (cells("denomination_principale"), cells("patronyme_uai")) if part
        )
        name = (built or "Collège (nom non publié)") + f", {cells('libelle_commune')}"
        cells.warn("appellation_officielle", f"nom officiel absent, nommé « {name} ».")
        return name
