"""Importing an inventory kept elsewhere: the asset CSV export of **Snipe-IT** and the computer
list CSV of **GLPI** (French or English column names), so a technician who already keeps one
does not start over. All or nothing, like the delivery files.

Each format is recognised by its header (:data:`FORMATS`, registered in
:mod:`tne.core.filekinds`). A row gives a device: its serial number, its asset tag (TNE gives
one when it has none), its model (by reference, else by name; an unknown model is an error of
its line and column unless the person chose a category for new models, which are then added to
the catalogue without price), its state (the words of the tool's status, :data:`STATES`), and
where it is: the school whose UAI the location names, else the stock of the chosen node."""

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from tne.core.audit import record
from tne.core.bulk import insert_rows
from tne.core.cells import CellError, Cells, required_text, text
from tne.core.formats import plural
from tne.core.models import AuditAction, AuditSource
from tne.core.progress import Progress
from tne.core.rowerrors import ErrorCollector, ImportFileError, RowError
from tne.core.scope import EVERYTHING, Scope
from tne.core.sheets import open_table
from tne.territory.models import School, TerritoryNode

from ..enums import AssetEventKind, AssetSource, AssetState
from ..models import Asset, AssetEvent, Category, DeviceModel
from .asset_tags import new_tags
from .lookups import existing

MAX_ERRORS = 500
UAI_RE = re.compile(r"\b(\d{7}[A-Z])\b")


@dataclass(frozen=True)
class InventoryFormat:
    kind: str
    label: str
    source: str
    # The columns (lower case) that identify the format.
    identify: tuple[str, ...]
    # What TNE reads → the names the tool gives it (lower case), the first found is read.
    fields: dict[str, tuple[str, ...]]


SNIPEIT = InventoryFormat(
    kind="equipment.snipeit",
    label="Inventaire Snipe-IT (export des matériels)",
    source=AssetSource.SNIPEIT,
    identify=("asset tag", "serial", "model"),
    fields={
        "serial": ("serial", "serial number"),
        "tag": ("asset tag",),
        "reference": ("model no.", "model number"),
        "model": ("model", "model name"),
        "maker": ("manufacturer",),
        "status": ("status", "status label"),
        "location": ("location", "default location"),
    },
)
GLPI = InventoryFormat(
    kind="equipment.glpi",
    label="Inventaire GLPI (liste des ordinateurs)",
    source=AssetSource.GLPI,
    identify=("nom", "numéro de série", "modèle"),
    fields={
        "serial": ("numéro de série",),
        "tag": ("numéro d'inventaire",),
        "reference": (),
        "model": ("modèle",),
        "maker": ("fabricant",),
        "status": ("statut",),
        "location": ("lieu",),
    },
)
GLPI_EN = InventoryFormat(
    kind="equipment.glpi_en",
    label="Inventaire GLPI (liste des ordinateurs, en anglais)",
    source=AssetSource.GLPI,
    identify=("name", "serial number", "model"),
    fields={
        "serial": ("serial number",),
        "tag": ("inventory number",),
        "reference": (),
        "model": ("model",),
        "maker": ("manufacturer",),
        "status": ("status",),
        "location": ("location",),
    },
)
FORMATS = {f.kind: f for f in (SNIPEIT, GLPI, GLPI_EN)}

# Words of a status (lower case, without accents) → the state in TNE; the first that the
# status contains wins. The default labels of Snipe-IT (« Ready to Deploy », « Pending »,
# « Archived », « Out for Repair », « Broken - Not Fixable », « Lost/Stolen », « Deployed ») and
# the usual ones of GLPI (« En stock », « En service », « En réparation », « Rebut », « Volé »).
STATES = (
    ("stolen", AssetState.STOLEN),
    ("vole", AssetState.STOLEN),
    ("lost", AssetState.LOST),
    ("perdu", AssetState.LOST),
    ("repair", AssetState.IN_REPAIR),
    ("reparation", AssetState.IN_REPAIR),
    ("diagnostic", AssetState.IN_REPAIR),
    ("broken", AssetState.RETIRED),
    ("archived", AssetState.RETIRED),
    ("retired", AssetState.RETIRED),
    ("rebut", AssetState.RETIRED),
    ("reforme", AssetState.RETIRED),
    ("hors service", AssetState.RETIRED),
    ("deployed", AssetState.INSTALLED),
    ("in use", AssetState.INSTALLED),
    ("en service", AssetState.INSTALLED),
    ("installe", AssetState.INSTALLED),
    ("affecte", AssetState.ALLOCATED),
    ("ready", AssetState.IN_STOCK),
    ("pending", AssetState.IN_STOCK),
    ("stock", AssetState.IN_STOCK),
    ("attente", AssetState.IN_STOCK),
    ("disponible", AssetState.IN_STOCK),
)
AT_SCHOOL = {AssetState.INSTALLED, AssetState.ALLOCATED}


def _plain(value: str) -> str:
    import unicodedata

    value = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in value if not unicodedata.combining(c))


def parse_state(value: str) -> str:
    """The state of a device from its status in the tool (empty: in stock)."""
    value = value.strip()
    if not value:
        return AssetState.IN_STOCK
    plain = _plain(value)
    for word, state in STATES:
        if word in plain:
            return state
    raise CellError(
        f"statut « {value} » inconnu : TNE reconnaît en stock (Ready to Deploy, En stock…), "
        "en service (Deployed, En service), en réparation, volé, perdu, réformé (Archived, "
        "Rebut…)."
    )


def format_of(header) -> InventoryFormat | None:
    names = {name.strip().lower() for name in header}
    found = [f for f in FORMATS.values() if set(f.identify) <= names]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class InventoryRow:
    line: int
    serial: str | None
    tag: str
    reference: str
    model: str
    maker: str
    state: str | None
    uai: str
    repeated: bool = False


@dataclass
class InventoryCheck:
    label: str
    format: InventoryFormat
    rows: list[InventoryRow]
    # (reference or name) → model, and the models to add to the catalogue.
    models: dict[tuple[str, str], DeviceModel | None] = field(repr=False)
    schools: dict[str, School] = field(repr=False)
    new_models: list[str]
    warnings: list[RowError]

    def counts(self) -> dict:
        by_state = defaultdict(int)
        for row in self.rows:
            by_state[AssetState(row.state).label] += 1
        return {
            "rows": len(self.rows),
            "at_schools": sum(1 for r in self.rows if r.uai),
            "new_models": len(self.new_models),
            "by_state": dict(by_state),
        }


@dataclass
class InventoryResult:
    label: str
    kind_label: str
    created: int
    at_schools: int
    new_models: int
    tags_generated: int
    dry_run: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "kind": self.kind_label,
            "rows": self.created,
            "created": self.created,
            "at_schools": self.at_schools,
            "new_models": self.new_models,
            "tags_generated": self.tags_generated,
        }


def _columns(table, fmt: InventoryFormat) -> dict[str, str | None]:
    """Each field → the column of the file that holds it (its exact spelling), or None."""
    by_lower = {name.strip().lower(): name for name in table.header if name}
    return {
        key: next((by_lower[n] for n in names if n in by_lower), None)
        for key, names in fmt.fields.items()
    }


def _read(table, fmt, errors: ErrorCollector, progress) -> list[InventoryRow]:
    cols = _columns(table, fmt)
    rows, serials, tags = [], {}, {}
    progress.start(table.approx_rows, f"Lecture de {table.label}")
    for line, values in table.rows(on_error=errors.add):
        cells = Cells(line, values, errors)

        def read(key, parser=text, cells=cells, **kwargs):
            column = cols[key]
            return cells(column, parser, **kwargs) if column else ""

        # Stored upper-cased, as the register searches and the scan screen looks them up.
        serial = (read("serial", required_text, max_length=80) or "").upper() or None
        tag = (read("tag", max_length=40) or "").upper()
        reference = read("reference", max_length=80) or ""
        model = read("model", max_length=200) or ""
        maker = read("maker", max_length=120) or ""
        state = read("status", parse_state) if cols["status"] else AssetState.IN_STOCK
        location = read("location", max_length=255) or ""
        if not reference and not model and cells.ok:
            cells.error(cols["model"] or cols["reference"], "valeur manquante (le modèle).")
        match = UAI_RE.search(location.upper())
        repeated = bool(serial) and serial in serials
        if repeated:
            cells.error(
                cols["serial"], f"le numéro de série {serial} figure déjà ligne {serials[serial]}."
            )
        elif serial:
            serials[serial] = line
        if tag and tag in tags:
            cells.error(cols["tag"], f"le numéro d'inventaire {tag} figure déjà ligne {tags[tag]}.")
        elif tag:
            tags[tag] = line
        rows.append(
            InventoryRow(
                line,
                serial,
                tag,
                reference,
                model,
                maker,
                state,
                match.group(1) if match else "",
                repeated,
            )
        )
        progress.advance()
    if not rows and not errors.errors:
        errors.add(None, None, "le fichier n'a aucune ligne de données après son en-tête.")
    return rows


def _check(table, fmt, *, scope, category, progress) -> InventoryCheck:
    errors = ErrorCollector(table.label, limit=MAX_ERRORS)
    cols = _columns(table, fmt)
    if cols["serial"] is None:
        raise ImportFileError(
            [RowError(table.label, 1, fmt.fields["serial"][0], "colonne obligatoire absente.")]
        )
    try:
        rows = _read(table, fmt, errors, progress)
        taken = existing(Asset, "serial_number", (r.serial for r in rows))
        taken_tags = existing(Asset, "asset_tag", (r.tag for r in rows))
        for row in rows:
            if row.serial and row.serial in taken:
                errors.add(
                    row.line,
                    cols["serial"],
                    f"le numéro de série {row.serial} est déjà au registre.",
                )
            if row.tag and row.tag in taken_tags:
                errors.add(
                    row.line, cols["tag"], f"le numéro d'inventaire {row.tag} est déjà au registre."
                )

        references = {r.reference for r in rows if r.reference}
        names = {r.model for r in rows if r.model and not r.reference}
        by_reference = {
            m.reference: m for m in DeviceModel.objects.filter(reference__in=references)
        }
        by_name = {}
        for m in DeviceModel.objects.filter(name__in=names) | DeviceModel.objects.filter(
            reference__in=names
        ):
            by_name.setdefault(m.name, m)
            by_name.setdefault(m.reference, m)
        models: dict[tuple[str, str], DeviceModel | None] = {}
        first_lines: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row in rows:
            if not (row.reference or row.model):
                continue
            key = ("reference", row.reference) if row.reference else ("name", row.model)
            first_lines[key].append(row.line)
            if key not in models:
                models[key] = (by_reference if row.reference else by_name).get(key[1])
        new_models = []
        for key, model in models.items():
            if model is None:
                if category is None:
                    lines = first_lines[key]
                    column = cols["reference"] if key[0] == "reference" else cols["model"]
                    more = (
                        f" (et {plural(len(lines) - 1, 'autre ligne|autres lignes')})"
                        if len(lines) > 1
                        else ""
                    )
                    errors.add(
                        lines[0],
                        column,
                        f"modèle « {key[1]} » inconnu du catalogue{more} : choisissez une "
                        "catégorie pour les nouveaux modèles, ou ajoutez-le au catalogue.",
                    )
                else:
                    new_models.append(key[1])

        uais = {r.uai for r in rows if r.uai}
        schools = {s.uai: s for s in School.objects.filter(uai__in=uais)}
        for row in rows:
            if not row.uai:
                continue
            school = schools.get(row.uai)
            if school is None:
                errors.add(row.line, cols["location"], f"établissement {row.uai} inconnu.")
            elif not scope.contains_school(school):
                errors.add(
                    row.line, cols["location"], f"établissement {row.uai} hors de votre périmètre."
                )
        for row in rows:
            if not row.uai and row.state in AT_SCHOOL:
                errors.warn(
                    row.line,
                    cols["status"],
                    "en service sans établissement (aucun UAI dans le lieu) : entré en stock.",
                )
    except ImportFileError as exc:
        raise ImportFileError(sorted(exc.errors, key=lambda e: e.line or 0)) from None
    if errors.errors:
        raise ImportFileError(sorted(errors.errors, key=lambda e: e.line or 0))
    return InventoryCheck(table.label, fmt, rows, models, schools, new_models, errors.warnings)


def _open(table_or_path, label):
    table = (
        open_table(table_or_path, label=label)
        if isinstance(table_or_path, str | Path)
        else table_or_path
    )
    fmt = format_of(table.header)
    if fmt is None:
        raise ImportFileError(
            [RowError(table.label, 1, None, "en-tête d'un export Snipe-IT ou GLPI non reconnu.")]
        )
    return table, fmt


def check_inventory(
    *,
    table_or_path,
    label=None,
    scope: Scope = EVERYTHING,
    category: Category | None = None,
    progress: Progress | None = None,
) -> InventoryCheck:
    """The whole file read and checked, nothing written (the preview)."""
    table, fmt = _open(table_or_path, label)
    return _check(table, fmt, scope=scope, category=category, progress=progress or Progress())


@transaction.atomic
def import_inventory(
    *,
    table_or_path,
    stock_node: TerritoryNode,
    actor=None,
    job=None,
    label=None,
    scope: Scope = EVERYTHING,
    category: Category | None = None,
    source: str = AuditSource.IMPORT,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> InventoryResult:
    """Enters every device of a Snipe-IT or GLPI export in the register (``source`` SNIPEIT or
    GLPI), at its school or in the stock of ``stock_node``, with an event in its history, and
    one audit record for the import (on ``stock_node``); or nothing: raises
    :class:`ImportFileError` with every error."""
    started = time.monotonic()
    progress = progress or Progress()
    if not scope.covers_node(stock_node):
        raise ImportFileError(
            [
                RowError(
                    str(label or table_or_path),
                    None,
                    None,
                    "le stock choisi est hors de votre périmètre.",
                )
            ]
        )
    try:
        table, fmt = _open(table_or_path, label)
        check = _check(table, fmt, scope=scope, category=category, progress=progress)
        models = dict(check.models)
        for key, model in models.items():
            if model is None:
                value = key[1]
                models[key] = DeviceModel.objects.create(
                    category=category,
                    maker="",
                    reference=value[:80],
                    name=value[:200],
                    unit_price=Decimal("0"),
                )
        rows = check.rows
        tags = iter(
            new_tags(sum(1 for r in rows if not r.tag), taken={r.tag for r in rows if r.tag})
        )
        ops, now = connection.ops, timezone.now()
        stamp = ops.adapt_datetimefield_value(now)
        values = []
        for row in rows:
            model = models[("reference", row.reference) if row.reference else ("name", row.model)]
            school = check.schools.get(row.uai) if row.uai else None
            state = (
                row.state
                if school is not None or row.state not in AT_SCHOOL
                else AssetState.IN_STOCK
            )
            values.append(
                (
                    row.serial,
                    row.tag or next(tags),
                    model.pk,
                    state,
                    None if school else stock_node.pk,
                    school.pk if school else None,
                    fmt.source,
                    "",
                    stamp,
                    stamp,
                )
            )
        insert_rows(
            Asset,
            [
                "serial_number",
                "asset_tag",
                "model",
                "state",
                "stock_node",
                "school",
                "source",
                "note",
                "created_at",
                "updated_at",
            ],
            values,
        )
        ids = {}
        for start in range(0, len(rows), 5000):
            chunk = [r.serial for r in rows[start : start + 5000]]
            ids.update(
                Asset.objects.filter(serial_number__in=chunk).values_list("serial_number", "pk")
            )
        actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        note = f"Import de l'{fmt.label[0].lower()}{fmt.label[1:]} « {table.label} »"[:255]
        insert_rows(
            AssetEvent,
            ["asset", "at", "kind", "from_state", "to_state", "school", "note", "actor"],
            (
                (ids[v[0]], stamp, AssetEventKind.CREATED, "", v[3], v[5], note, actor_id)
                for v in values
            ),
        )
        record(
            stock_node,
            AuditAction.UPDATE,
            actor=actor,
            source=source,
            job=job,
            changes={
                "inventaire importé": [table.label, plural(len(values), "matériel|matériels")]
            },
        )
    finally:
        progress.close()
    if dry_run:
        transaction.set_rollback(True)
    return InventoryResult(
        label=table.label,
        kind_label=fmt.label,
        created=len(values),
        at_schools=sum(1 for v in values if v[5]),
        new_models=len(check.new_models),
        tags_generated=sum(1 for r in rows if not r.tag),
        dry_run=dry_run,
        seconds=round(time.monotonic() - started, 2),
    )


def run_inventory_file(path, *, label=None, dry_run=False, progress=None) -> str:
    """``tne import FILE`` for a Snipe-IT or GLPI export: in the stock of the root of the
    territory (the country) when no school is named; unknown models are errors."""
    root = TerritoryNode.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise ImportFileError(
            [
                RowError(
                    label or str(path),
                    None,
                    None,
                    "aucun territoire : importez d'abord le territoire.",
                )
            ]
        )
    result = import_inventory(
        table_or_path=path,
        stock_node=root,
        label=label,
        source=AuditSource.CLI,
        progress=progress,
        dry_run=dry_run,
    )
    return (
        f"{plural(result.created, 'matériel entré|matériels entrés')} au registre, dont "
        f"{plural(result.at_schools, 'dans un établissement|dans des établissements')} ; "
        f"{result.seconds:.2f} s".replace(".", ",")
        + (" (simulation)." if dry_run else ".")
    )
