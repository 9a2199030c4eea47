"""``dnb_effectifs_ips_rep_colleges``: the collèges of the 2021 brevet with their pupils per level,
their REP / REP+ flags and an IPS. Enriches known collèges only (the collèges file is the list of
collèges); the IPS is written only where the collège has none."""

from tne.core.cells import parse_decimal, parse_flag, parse_int
from tne.territory.enums import EducationNetwork, Level, SchoolKind

from .base import Cells, SchoolImporter
from .schools import SchoolRow
from .values import IPS_BOUNDS, parse_ips, parse_uai, school_year_of_session

# Pupils per level: the four years without SEGPA and ULIS pupils, then SEGPA and ULIS.
LEVEL_COLUMNS = {
    Level.SIXIEME: "6eme_hors_segpa_hors_ulis",
    Level.CINQUIEME: "5eme_hors_segpa_hors_ulis",
    Level.QUATRIEME: "4eme_hors_segpa_hors_ulis",
    Level.TROISIEME: "3eme_hors_segpa_hors_ulis",
    Level.SEGPA: "nombre_eleves_segpa",
    Level.ULIS_COLLEGE: "nombre_eleves_ulis",
}
TOTAL_COLUMN = "nombre_eleves_total"


class CollegesEffectifsImporter(SchoolImporter):
    kind = "colleges_effectifs"
    school_kinds = (SchoolKind.COLLEGE,)
    label = "Collèges : effectifs, REP et IPS (DNB)"
    columns = (
        "numero_college",
        "session",
        "rep",
        "rep_plus",
        TOTAL_COLUMN,
        *LEVEL_COLUMNS.values(),
        "ips",
        "ecart_type_de_l_ips",
    )
    key_column = "numero_college"

    def parse(self, cells: Cells) -> SchoolRow:
        pupils = {str(level): cells(column, parse_int) for level, column in LEVEL_COLUMNS.items()}
        total = cells(TOTAL_COLUMN, parse_int)
        if cells.ok and sum(pupils.values()) != total:
            cells.error(
                TOTAL_COLUMN,
                f"{total} élèves au total, mais {sum(pupils.values())} par niveau "
                f"({', '.join(LEVEL_COLUMNS.values())}).",
            )
        rep, rep_plus = cells("rep", parse_flag), cells("rep_plus", parse_flag)
        network = (
            EducationNetwork.REP_PLUS
            if rep_plus
            else EducationNetwork.REP
            if rep
            else EducationNetwork.NONE
        )
        ips = cells("ips", parse_ips, required=False)
        ips_std = cells("ecart_type_de_l_ips", parse_decimal, **IPS_BOUNDS)
        year = cells("session", school_year_of_session)
        return SchoolRow(
            line=cells.line,
            uai=cells("numero_college", parse_uai),
            values={"education_network": network, "pupils_by_level": pupils},
            ips_if_absent={"ips": ips, "ips_std": ips_std, "ips_year": year} if ips else {},
        )
