"""``communes_*_centroides.csv``: communes (2018 INSEE codes) with their name and centre."""

from tne.territory.enums import NodeKind

from .base import Cells, Importer
from .reference import departement
from .schools import UpsertResult
from .territory import NAME_MAX_LENGTH, CommuneData, TerritoryIndex
from .values import departement_code_of_commune, parse_commune_code, parse_float, required_text


class CommunesImporter(Importer):
    kind = "communes"
    label = "Communes (centres)"
    columns = ("code_insee", "nom", "code_departement", "lat_centroide", "lon_centroide")
    key_column = "code_insee"
    # The names and centres of communes are shared by every territory: national steering only.
    national_only = True

    def parse(self, cells: Cells) -> CommuneData:
        code = cells("code_insee", parse_commune_code)
        stated = cells("code_departement", departement)
        if code and stated and departement_code_of_commune(code) != stated.code:
            cells.error(
                "code_departement",
                f"la commune {code} est du département {departement_code_of_commune(code)}, "
                f"non {stated.code}.",
            )
        return CommuneData(
            code=code,
            name=cells("nom", required_text, max_length=NAME_MAX_LENGTH),
            latitude=cells("lat_centroide", parse_float, minimum=-90, maximum=90),
            longitude=cells("lon_centroide", parse_float, minimum=-180, maximum=180),
        )

    def key(self, row: CommuneData) -> str:
        return row.code

    def write(self, rows, *, actor, source, job, progress, scope) -> UpsertResult:
        progress.start(len(rows), "Enregistrement")
        territory = TerritoryIndex()
        territory.load(row.code for row in rows)
        known = [row for row in rows if territory.get(NodeKind.COMMUNE, row.code)]
        updated = territory.update_communes(known)
        territory.ensure_communes(rows, departement_code_of_commune)
        progress.advance(len(rows))
        created = len(rows) - len(known)
        return UpsertResult(
            created=created,
            updated=updated,
            unchanged=len(known) - updated,
            nodes_created=territory.created - created,
        )
