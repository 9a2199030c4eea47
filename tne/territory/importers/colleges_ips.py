"""``ips_colleges_rentree2023``: the IPS of collèges and its standard deviation. Enriches known
collèges only; the others are reported as skipped."""

from tne.core.cells import parse_decimal
from tne.territory.enums import SchoolKind

from .base import Cells, SchoolImporter
from .schools import SchoolRow
from .values import IPS_BOUNDS, parse_ips, parse_uai, school_year_of


class CollegesIpsImporter(SchoolImporter):
    kind = "colleges_ips"
    school_kinds = (SchoolKind.COLLEGE,)
    label = "Collèges : IPS"
    columns = ("Rentrée scolaire", "UAI", "IPS", "Ecart-type de l'IPS")
    key_column = "UAI"

    def parse(self, cells: Cells) -> SchoolRow:
        return SchoolRow(
            line=cells.line,
            uai=cells("UAI", parse_uai),
            values={
                "ips": cells("IPS", parse_ips),
                "ips_std": cells("Ecart-type de l'IPS", parse_decimal, **IPS_BOUNDS),
                "ips_year": cells("Rentrée scolaire", school_year_of),
            },
        )
