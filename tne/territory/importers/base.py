"""What every importer shares: reading the cells of a record with their column names, the
location of a school, the report."""

from dataclasses import dataclass, field

from tne.core import cells
from tne.core.cells import required_text
from tne.core.formats import plural

from .reference import departement, departements
from .schools import SchoolRow, UpsertResult, upsert_schools
from .territory import NAME_MAX_LENGTH, CommuneData
from .values import departement_code_of_commune, parse_commune_code


class Cells(cells.Cells):
    """The cells of one record of an open-data file; also reads the commune of a school."""

    def commune(
        self,
        *,
        code_column: str,
        name_column: str,
        departement_column: str | None = None,
    ) -> CommuneData | None:
        """The commune of a school; its département comes from its INSEE code and must be in
        the reference. A file that gives another département is followed by a warning."""
        code = self(code_column, parse_commune_code)
        name = self(name_column, required_text, max_length=NAME_MAX_LENGTH)
        if code is None or name is None:
            return None
        derived = departement_code_of_commune(code)
        if derived not in departements():
            self.error(code_column, f"département « {derived} » de la commune inconnu.")
            return None
        if departement_column:
            stated = self(departement_column, departement)
            if stated is not None and stated.code != derived:
                self.warn(
                    departement_column,
                    f"la commune {code} est du département {derived}, non {stated.code} : "
                    f"l'établissement est rattaché au {derived}.",
                )
        return CommuneData(code=code, name=name)


# How many of the rows out of scope a job's result names.
SHOWN = 5


@dataclass
class ImportReport:
    kind: str
    label: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Keys (UAI) of rows read but not imported, e.g. collèges unknown to an enriching file.
    skipped: list[str] = field(default_factory=list)
    # (line, UAI) of the rows about schools outside the importer's scope: read, not written.
    out_of_scope: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    nodes_created: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        """The counters, as a job's result (the rows out of scope only when there are)."""
        result = {
            "kind": self.label,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }
        if self.out_of_scope:
            shown = ", ".join(f"{uai} (ligne {line})" for line, uai in self.out_of_scope[:SHOWN])
            more = len(self.out_of_scope) - SHOWN
            result["out_of_scope"] = len(self.out_of_scope)
            if more > 0:
                shown += f" et {plural(more, 'autre|autres')}"
            result["out_of_scope_first"] = shown
        return result


class Importer:
    """One kind of file. ``columns`` are the columns it reads, all required; they also identify
    the kind of a file from its header. ``parse`` turns one record into a row to write."""

    kind: str = ""
    label: str = ""
    columns: tuple[str, ...] = ()
    key_column: str = ""
    # The column of the commune of a school, for files that place schools.
    commune_column: str = ""
    # Whether only a national scope may import this kind (it writes territory-wide data).
    national_only: bool = False

    def parse(self, cells: Cells):
        raise NotImplementedError

    def key(self, row) -> str:
        raise NotImplementedError

    def write(self, rows: list, *, actor, source: str, job, progress, scope) -> UpsertResult:
        raise NotImplementedError


class SchoolImporter(Importer):
    # The kinds of school a file may change (None: any); the others are skipped.
    school_kinds: tuple[str, ...] | None = None

    def key(self, row: SchoolRow) -> str:
        return row.uai

    def write(self, rows, *, actor, source, job, progress, scope) -> UpsertResult:
        return upsert_schools(
            rows,
            actor=actor,
            source=source,
            job=job,
            progress=progress,
            kinds=self.school_kinds,
            scope=scope,
        )
