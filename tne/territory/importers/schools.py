"""Upserting schools by UAI in bulk, with one audit event per created or changed school."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils import timezone

from tne.core.audit import AuditAction, build_event, diff, record_many
from tne.core.scope import EVERYTHING, Scope
from tne.territory.enums import NodeKind
from tne.territory.models import School, plain_upper

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


class OutOfScope(Exception):
    """Rows that would create, change or move a school outside the importer's scope."""

    def __init__(self, lines: list[tuple[int, str]]):
        super().__init__(f"{len(lines)} établissement(s) hors du périmètre")
        self.lines = lines


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    nodes_created: int = 0


def _load_existing(uais: list[str]) -> dict[str, School]:
    existing = {}
    for part in chunks(uais):
        existing.update((s.uai, s) for s in School.objects.filter(uai__in=part))
    return existing


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
    kind is skipped, like an unknown one that cannot be created. A row whose school is, or would
    be, outside ``scope`` raises :class:`OutOfScope` (the caller's transaction rolls back)."""
    result = UpsertResult()
    out_of_scope: list[tuple[int, str]] = []
    existing = _load_existing([row.uai for row in rows])
    territory = TerritoryIndex()
    communes = [row.commune for row in rows if row.commune]
    if communes:
        territory.load(commune.code for commune in communes)
        territory.ensure_communes(communes, departement_code_of_commune)

    to_create, to_update = [], []
    progress.start(len(rows), "Enregistrement")
    for row in rows:
        values = dict(row.values)
        if "name" in values:
            values["search_name"] = plain_upper(values["name"])
        if row.commune:
            chain = territory.chain_of(territory.get(NodeKind.COMMUNE, row.commune.code))
            values.update(chain, owner_id=chain[OWNER_FIELD[row.owner]])
        school = existing.get(row.uai)
        if not _in_scope(scope, school, values):
            out_of_scope.append((row.line, row.uai))
        elif (school is None and not row.commune) or (
            school is not None and kinds is not None and school.kind not in kinds
        ):
            result.skipped.append(row.uai)
        elif school is None:
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
        progress.advance()

    if out_of_scope:
        raise OutOfScope(out_of_scope)
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
    record_many(
        build_event(school, action, actor=actor, source=source, changes=changes, job=job)
        for school, action, changes in events
    )
    result.created, result.updated = len(to_create), len(to_update)
    result.nodes_created = territory.created
    return result


def _in_scope(scope: Scope, school: School | None, values: dict) -> bool:
    """The school as it is (if known) and as the row would make it must both be in scope."""
    before = {} if school is None else {**_field_values(school), "pk": school.pk}
    return (school is None or scope.allows_school(before)) and scope.allows_school(
        {**before, **values}
    )


_AUDITED = [
    f.attname
    for f in School._meta.concrete_fields
    if f.attname not in ("id", "updated_at", "synthesised_fields", "search_name")
]


def _field_values(school: School) -> dict:
    return {name: getattr(school, name) for name in _AUDITED}
