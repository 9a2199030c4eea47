"""``fr-en-ips_ecoles``: every école with CM2 pupils, its commune, sector and IPS. Creates and
updates écoles; the kind (maternelle, élémentaire, primaire) comes from the name."""

from tne.core.cells import required_text
from tne.territory.enums import SchoolKind

from .base import Cells, SchoolImporter
from .schools import SchoolRow
from .values import ecole_kind, parse_ips, parse_sector, parse_uai, school_year_of


class EcolesIpsImporter(SchoolImporter):
    kind = "ecoles_ips"
    school_kinds = tuple(SchoolKind.first_degree())
    label = "Écoles et IPS"
    columns = (
        "Rentrée scolaire",
        "Code du département",
        "UAI",
        "Nom de l'établissment",
        "Code INSEE de la commune",
        "Nom de la commune",
        "Secteur",
        "IPS",
    )
    key_column = "UAI"
    commune_column = "Code INSEE de la commune"

    def parse(self, cells: Cells) -> SchoolRow:
        name = cells("Nom de l'établissment", required_text)
        return SchoolRow(
            line=cells.line,
            uai=cells("UAI", parse_uai),
            commune=cells.commune(
                code_column=self.commune_column,
                name_column="Nom de la commune",
                departement_column="Code du département",
            ),
            owner="commune",
            values={
                "name": name,
                "kind": ecole_kind(name or ""),
                "sector": cells("Secteur", parse_sector),
                "ips": cells("IPS", parse_ips),
                "ips_year": cells("Rentrée scolaire", school_year_of),
            },
        )
