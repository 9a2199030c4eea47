"""``fr-en-ips_lycees``: every lycée with its commune, sector, type (LEGT, LP, LPO) and IPS (all
tracks together). Creates and updates lycées."""

from tne.core.cells import required_text
from tne.territory.enums import SchoolKind

from .base import Cells, SchoolImporter
from .schools import SchoolRow
from .values import lycee_kind, parse_ips, parse_sector, parse_uai, school_year_of


class LyceesIpsImporter(SchoolImporter):
    kind = "lycees_ips"
    school_kinds = tuple(SchoolKind.lycees())
    label = "Lycées et IPS"
    columns = (
        "rentree_scolaire",
        "code_du_departement",
        "uai",
        "nom_de_l_etablissment",
        "code_insee_de_la_commune",
        "nom_de_la_commune",
        "secteur",
        "type_de_lycee",
        "ips_ensemble_gt_pro",
    )
    key_column = "uai"
    commune_column = "code_insee_de_la_commune"

    def parse(self, cells: Cells) -> SchoolRow:
        return SchoolRow(
            line=cells.line,
            uai=cells("uai", parse_uai),
            commune=cells.commune(
                code_column=self.commune_column,
                name_column="nom_de_la_commune",
                departement_column="code_du_departement",
            ),
            owner="region",
            values={
                "name": cells("nom_de_l_etablissment", required_text),
                "kind": cells("type_de_lycee", lycee_kind),
                "sector": cells("secteur", parse_sector),
                "ips": cells("ips_ensemble_gt_pro", parse_ips),
                "ips_year": cells("rentree_scolaire", school_year_of),
            },
        )
