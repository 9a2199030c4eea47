"""Upserting schools by UAI in bulk, with one audit event per created or changed school."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils import timezone

from tne.core.audit import AuditAction, Place, build_event, diff, record_many
from tne.core.scope import EVERYTHING, Scope
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode, school_search_text
from tne.territory.placeholders import name_needs_review

from .territory import BATCH, CommuneData, TerritoryIndex, chunks
from .values import departement_code_of_commune

# Which node owns the building: the commune for écoles, the département for collèges, the région
# for lycées.
OWNER_FIELD = {"commune": "commune_id", "departement": "departement_id", "region": "region_id"}


@dataclass
class SchoolRow:
    """One school read from a file. ``values`` are written on create and update; a school is
    created only when ``commune`` is given (files that only enrich known schools leave it out);
    ``ips_if_absent`` is written only when the school has no IPS yet."""

    line: int
    uai: str
    values: dict
    commune: CommuneData | None = None
    owner: str = "commune"
    ips_if_absent: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Move:
    """A row that would move a school across the edge of the importer's scope."""

    line: int
    uai: str
    into_scope: bool


class ScopeConflict(Exception):
    """Rows that would move a school of the scope out of it, or bring one in: the importer may
    not decide where a school outside their scope belongs."""

    def __init__(self, moves: list[Move]):
        super().__init__(f"{len(moves)} établissement(s) déplacé(s) à la limite du périmètre")
        self.moves = moves


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    # (line, UAI) of the rows about schools outside the scope: read, not written.
    out_of_scope: list[tuple[int, str]] = field(default_factory=list)
    nodes_created: int = 0


def _load_existing(uais: list[str]) -> dict[str, School]:
    existing = {}
    for part in chunks(uais):
        existing.update(
            (s.uai, s) for s in School.objects.filter(uai__in=part).select_related("commune")
        )
    return existing


def _locate(territory: TerritoryIndex, row: SchoolRow, values: dict) -> None:
    """Sets the links of the school to its commune and above, and its owner; a commune not yet
    known has no id (nor has the école's owner): the rest comes from its département."""
    chain = territory.chain_for(row.commune.code, departement_code_of_commune)
    values.update(chain, owner_id=chain[OWNER_FIELD[row.owner]])


def _search_text(territory: TerritoryIndex, row: SchoolRow, school: School | None) -> str | None:
    """The searchable text (name and commune) the row gives the school, or None when the row
    changes neither its name nor its commune."""
    if "name" not in row.values and not row.commune:
        return None
    name = row.values.get("name") or (school.name if school else "")
    if row.commune:
        node = territory.get(NodeKind.COMMUNE, row.commune.code)
        commune = node.name if node else row.commune.name
    else:
        commune = school.commune.name if school else ""
    return school_search_text(name, commune)


def upsert_schools(
    rows: list[SchoolRow],
    *,
    actor=None,
    source: str,
    job=None,
    progress,
    kinds: Collection[str] | None = None,
    scope: Scope = EVERYTHING,
) -> UpsertResult:
    """Creates or updates the schools of ``rows``; with ``kinds``, a known school of another
    kind is skipped, like an unknown one that cannot be created. A row about a school outside
    ``scope`` (as it is and as the row would make it) is left out and reported; a row that would
    move a school across the edge of the scope raises :class:`ScopeConflict` (the caller's
    transaction rolls back). Only the communes of the rows written are created."""
    result = UpsertResult()
    moves: list[Move] = []
    existing = _load_existing([row.uai for row in rows])
    territory = TerritoryIndex()
    territory.load(row.commune.code for row in rows if row.commune)

    planned: list[tuple[SchoolRow, School | None, dict]] = []
    progress.start(len(rows), "Enregistrement")
    for row in rows:
        values = dict(row.values)
        school = existing.get(row.uai)
        search = _search_text(territory, row, school)
        if search is not None:
            values["search_name"] = search
        if "name" in values:
            values["name_needs_review"] = name_needs_review(values["name"])
        if row.commune:
            _locate(territory, row, values)
        if (school is None and not row.commune) or (
            school is not None and kinds is not None and school.kind not in kinds
        ):
            result.skipped.append(row.uai)
        else:
            before, after = _in_scope(scope, school, values)
            if before and after:
                planned.append((row, school, values))
            elif before == after:
                result.out_of_scope.append((row.line, row.uai))
            else:
                moves.append(Move(row.line, row.uai, into_scope=after))
        progress.advance()
    if moves:
        raise ScopeConflict(moves)

    territory.ensure_communes(
        (row.commune for row, _, _ in planned if row.commune), departement_code_of_commune
    )
    to_create, to_update = [], []
    for row, school, values in planned:
        if row.commune:
            _locate(territory, row, values)
        if school is None:
            to_create.append(School(uai=row.uai, **values, **row.ips_if_absent))
        else:
            if row.ips_if_absent and school.ips is None:
                values.update(row.ips_if_absent)
            if values.get("commune_id", school.commune_id) != school.commune_id:
                # A school that moves leaves its circonscription (and the IEN's scope) behind.
                values["circonscription_id"] = None
            changes = diff(school, values)
            if changes:
                to_update.append((school, {name: values[name] for name in changes}, changes))
            else:
                result.unchanged += 1

    School.objects.bulk_create(to_create, batch_size=BATCH)
    # One UPDATE per changed school: much faster than bulk_update's CASE expressions on both
    # SQLite and PostgreSQL, and it writes only the fields that changed.
    now = timezone.now()
    for school, changed, _ in to_update:
        School.objects.filter(pk=school.pk).update(**changed, updated_at=now)
        for name, value in changed.items():
            setattr(school, name, value)
    blank = School()
    events = [
        (school, AuditAction.CREATE, diff(blank, _field_values(school))) for school in to_create
    ] + [(school, AuditAction.UPDATE, changes) for school, _, changes in to_update]
    paths = _commune_paths(territory, [school for school, _, _ in events])
    record_many(
        build_event(
            school,
            action,
            actor=actor,
            source=source,
            changes=changes,
            job=job,
            place=Place(path=paths.get(school.commune_id, ""), school_id=school.pk),
        )
        for school, action, changes in events
    )
    result.created, result.updated = len(to_create), len(to_update)
    result.nodes_created = territory.created
    return result


def _commune_paths(territory: TerritoryIndex, schools: list[School]) -> dict[int, str]:
    """The path of the commune of each school (the place of its audit event): from the index,
    and one query per chunk for the communes it did not load (rows that give no commune)."""
    paths = {pk: node.path for pk, node in territory.by_pk.items()}
    missing = sorted({s.commune_id for s in schools} - set(paths))
    for ids in chunks(missing):
        paths.update(TerritoryNode.objects.filter(pk__in=ids).values_list("pk", "path"))
    return paths


def _in_scope(scope: Scope, school: School | None, values: dict) -> tuple[bool, bool]:
    """Whether the school is in ``scope`` as it is (a new school: as the row would make it) and
    as the row would make it."""
    before = {} if school is None else {**_field_values(school), "pk": school.pk}
    after = scope.allows_school({**before, **values})
    return (after if school is None else scope.allows_school(before)), after


_AUDITED = [
    f.attname
    for f in School._meta.concrete_fields
    if f.attname
    not in ("id", "updated_at", "synthesised_fields", "search_name", "name_needs_review")
]


def _field_values(school: School) -> dict:
    return {name: getattr(school, name) for name in _AUDITED}
