"""``communes_*_centroides.csv``: communes (2018 INSEE codes) with their name and centre."""

from tne.core.cells import parse_float, required_text
from tne.core.text import search_text
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode, school_search_text

from .base import Cells, Importer
from .reference import departement
from .schools import UpsertResult
from .territory import NAME_MAX_LENGTH, CommuneData, TerritoryIndex, chunks
from .values import departement_code_of_commune, parse_commune_code


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
        renamed = {
            row.code: row.name
            for row in known
            if territory.get(NodeKind.COMMUNE, row.code).name != row.name
        }
        updated = territory.update_communes(known)
        _write_search_names(renamed)
        territory.ensure_communes(rows, departement_code_of_commune)
        progress.advance(len(rows))
        created = len(rows) - len(known)
        return UpsertResult(
            created=created,
            updated=updated,
            unchanged=len(known) - updated,
            nodes_created=territory.created - created,
        )


def _write_search_names(renamed: dict[str, str]) -> None:
    """The searchable text of renamed communes (code → new name) and of their schools, which
    holds the commune's name."""
    for code, name in renamed.items():
        TerritoryNode.objects.filter(kind=NodeKind.COMMUNE, code=code).update(
            search_name=search_text(name)
        )
    for codes in chunks(sorted(renamed)):
        schools = School.objects.filter(
            commune__kind=NodeKind.COMMUNE, commune__code__in=codes
        ).values_list("pk", "name", "commune__code")
        for pk, school_name, code in list(schools):
            School.objects.filter(pk=pk).update(
                search_name=school_search_text(school_name, renamed[code])
            )
