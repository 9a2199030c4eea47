"""Supplier delivery files: every device of a delivery entered in the register in stock, against
the order line that paid for it. All or nothing.

A file (CSV, ``;`` or ``,``, with or without BOM, or XLSX) has the header
``numero_serie;reference_modele;numero_commande;date_livraison`` and optionally
``numero_inventaire``. :func:`check_deliveries` reads and checks the whole file and raises
:class:`~tne.core.rowerrors.ImportFileError` with every error, each with its line and column;
:func:`import_deliveries` checks it again under lock of the order lines and writes it, in one
transaction.

Checked in bulk: one pass over the rows (cells, dates, duplicates inside the file), then one
query per kind of lookup (serials and tags already in the register, in chunks; the models; the
orders; their lines), never one per row. Errors that concern a value rather than a row (an
unknown model, an unknown order, an order line that would be exceeded) are reported once, at the
first line concerned, with the number of other lines."""

import calendar
import datetime
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from tne.core.audit import record
from tne.core.bulk import insert_rows
from tne.core.cells import CONTROL_CHARACTERS_RE, CellError, Cells, required_text, text
from tne.core.formats import plural
from tne.core.models import AuditAction, AuditSource
from tne.core.progress import Progress
from tne.core.rowerrors import ErrorCollector, ImportFileError, RowError
from tne.core.scope import EVERYTHING, Scope
from tne.core.sheets import open_table

from ..enums import AssetEventKind, AssetSource, AssetState, OrderStatus
from ..models import Asset, AssetEvent, DeviceModel, Order, OrderLine
from .asset_tags import new_tags
from .deployments import assign_deliveries
from .lookups import existing

KIND = "equipment.delivery"
LABEL = "Livraison de matériels"
SERIAL, REFERENCE, ORDER, DATE = (
    "numero_serie",
    "reference_modele",
    "numero_commande",
    "date_livraison",
)
TAG = "numero_inventaire"
COLUMNS = (SERIAL, REFERENCE, ORDER, DATE)
# Errors listed for one file before reading stops (the preview lists them all).
MAX_ERRORS = 500
BATCH = 2000
OUT_OF_SCOPE = "commande hors de votre périmètre"

_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


def parse_date(value: str) -> datetime.date:
    """A delivery date written ``JJ/MM/AAAA`` or ``AAAA-MM-JJ`` (as a spreadsheet gives it), not
    in the future."""
    value = value.strip()
    if not value:
        raise CellError("valeur manquante.")
    if match := _FR_DATE.match(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(value):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise CellError(f"« {value} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ attendu).")
    try:
        result = datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"« {value} » n'est pas une date qui existe.") from None
    if result > datetime.date.today():
        raise CellError(f"la date {result:%d/%m/%Y} est dans le futur.")
    return result


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` months (the last day of the month when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DeliveryRow:
    """A row of the file; a cell that could not be read is None (its error is recorded), and
    the rest of the row is still checked against the register."""

    line: int
    serial: str | None
    reference: str | None
    order_number: str | None
    delivered_on: datetime.date | None
    # Empty: TNE gives the device a tag.
    asset_tag: str
    # A serial the file already gave: the same device, not counted against its order line.
    repeated: bool = False


@dataclass(frozen=True)
class DeliveryGroup:
    """What a file delivers against one line of an order: a count of one model."""

    order_number: str
    reference: str
    model_name: str
    count: int
    quantity: int
    delivered_before: int

    @property
    def delivered_after(self) -> int:
        return self.delivered_before + self.count


@dataclass
class DeliveryCheck:
    """A file read and checked, nothing written: its rows and what they deliver, per order line."""

    label: str
    rows: list[DeliveryRow]
    groups: list[DeliveryGroup]
    tags_to_generate: int
    models: dict[str, DeviceModel] = field(repr=False)
    orders: dict[str, Order] = field(repr=False)
    lines: dict[tuple[int, int], OrderLine] = field(repr=False)


@dataclass
class DeliveryResult:
    label: str
    created: int
    # The orders delivered against, for the deployments (``assign_deliveries(order_ids=…)``).
    order_ids: list[int]
    groups: list[DeliveryGroup]
    tags_generated: int
    # The allocations of those orders whose kits the delivery completed (now « livrée »).
    allocations_delivered: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "kind": LABEL,
            "rows": self.created,
            "created": self.created,
            "orders": len(self.order_ids),
            "tags_generated": self.tags_generated,
            "allocations_delivered": self.allocations_delivered,
            "order_ids": self.order_ids,
        }

    def sentence(self) -> str:
        orders = ", ".join(sorted({g.order_number for g in self.groups}))
        return (
            f"{plural(self.created, 'matériel entré|matériels entrés')} au registre, en stock "
            f"(commande{'s' if len(self.order_ids) > 1 else ''} {orders}) ; "
            + plural(self.tags_generated, "numéro d'inventaire donné|numéros d'inventaire donnés")
            + " par TNE ; "
            + plural(self.allocations_delivered, "affectation livrée|affectations livrées")
        )


class _Errors(ErrorCollector):
    def __init__(self, file: str):
        super().__init__(file, limit=MAX_ERRORS)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFileError(sorted(self.errors, key=_error_order))


def _error_order(error: RowError):
    column = COLUMNS.index(error.column) if error.column in COLUMNS else len(COLUMNS)
    return (error.line or 0, column, error.message)


def _more(lines: list[int]) -> str:
    others = len(lines) - 1
    if not others:
        return ""
    return f" (et {plural(others, 'autre ligne|autres lignes')})"


def _read(table, errors: _Errors, progress: Progress) -> list[DeliveryRow]:
    table.require(COLUMNS)
    has_tag = TAG in table.header
    rows: list[DeliveryRow] = []
    serials: dict[str, int] = {}
    tags: dict[str, int] = {}
    dates: dict[str, datetime.date] = {}
    progress.start(table.approx_rows, f"Lecture de {table.label}")
    for line, values in table.rows(on_error=errors.add):
        fast = _fast_cells(values, has_tag, dates)
        if fast is None:  # some cell is wrong: read each through its parser, for its message
            cells = Cells(line, values, errors)
            serial = cells(SERIAL, required_text, max_length=80)
            reference = cells(REFERENCE, required_text, max_length=80)
            order_number = cells(ORDER, required_text, max_length=40)
            delivered_on = cells(DATE, parse_date)
            tag = (cells(TAG, text, max_length=40) if has_tag else "") or ""
        else:
            cells = None
            serial, reference, order_number, delivered_on, tag = fast
        # Stored upper-cased, as the register searches and the scan screen looks them up.
        serial, tag = (serial or "").upper(), (tag or "").upper()
        repeated = serial in serials
        if serial:
            if repeated:
                message = f"le numéro de série {serial} figure déjà ligne {serials[serial]}."
                errors.add(line, SERIAL, message)
            else:
                serials[serial] = line
        if tag:
            if tag in tags:
                errors.add(
                    line, TAG, f"le numéro d'inventaire {tag} figure déjà ligne {tags[tag]}."
                )
            else:
                tags[tag] = line
        rows.append(DeliveryRow(line, serial, reference, order_number, delivered_on, tag, repeated))
        progress.advance()
    if not rows and not errors.errors:
        errors.add(None, None, "le fichier n'a aucune ligne de données après son en-tête.")
    return rows


_LIMITS = ((SERIAL, 80), (REFERENCE, 80), (ORDER, 40))


def _fast_cells(values: dict[str, str], has_tag: bool, dates: dict[str, datetime.date]):
    """The cells of a row when they are all good (the common case, read without a parser call
    per cell; a date is parsed once per distinct value), else None."""
    if CONTROL_CHARACTERS_RE.search("".join(values.values())):
        return None
    read = []
    for column, limit in _LIMITS:
        value = values[column].strip()
        if not value or len(value) > limit:
            return None
        read.append(value)
    raw = values[DATE]
    delivered_on = dates.get(raw)
    if delivered_on is None:
        try:
            delivered_on = dates[raw] = parse_date(raw)
        except CellError:
            return None
    tag = values[TAG].strip() if has_tag else ""
    if len(tag) > 40:
        return None
    return (*read, delivered_on, tag)


def _check(table, *, scope: Scope, lock: bool, progress: Progress) -> DeliveryCheck:
    errors = _Errors(table.label)
    try:
        rows = _read(table, errors, progress)
        check = _check_rows(rows, errors, label=table.label, scope=scope, lock=lock)
    except ImportFileError as exc:  # too many errors: reading stopped
        raise ImportFileError(sorted(exc.errors, key=_error_order)) from None
    errors.raise_if_any()
    return check


def _check_rows(
    rows: list[DeliveryRow], errors: _Errors, *, label: str, scope: Scope, lock: bool
) -> DeliveryCheck:
    # Serials and tags already in the register: one query per kind (in chunks).
    taken = existing(Asset, "serial_number", (r.serial for r in rows))
    taken_tags = existing(Asset, "asset_tag", (r.asset_tag for r in rows))
    for row in rows:
        if row.serial and row.serial in taken:
            errors.add(row.line, SERIAL, f"le numéro de série {row.serial} est déjà au registre.")
        if row.asset_tag and row.asset_tag in taken_tags:
            errors.add(
                row.line, TAG, f"le numéro d'inventaire {row.asset_tag} est déjà au registre."
            )

    lines_of_reference: dict[str, list[int]] = defaultdict(list)
    lines_of_order: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.reference:
            lines_of_reference[row.reference].append(row.line)
        if row.order_number:
            lines_of_order[row.order_number].append(row.line)

    models = {m.reference: m for m in DeviceModel.objects.filter(reference__in=lines_of_reference)}
    for reference, lines in lines_of_reference.items():
        if reference not in models:
            errors.add(
                lines[0],
                REFERENCE,
                f"modèle « {reference} » inconnu du catalogue{_more(lines)}.",
            )

    found = Order.objects.filter(number__in=lines_of_order).select_related("envelope__node")
    if lock:  # an order cancelled meanwhile waits for this import, or this one for it
        found = found.order_by("pk").select_for_update(of=("self",))
    orders = {o.number: o for o in found}
    usable: dict[str, Order] = {}
    for number, lines in lines_of_order.items():
        order = orders.get(number)
        if order is None:
            errors.add(lines[0], ORDER, f"commande « {number} » inconnue{_more(lines)}.")
        elif not scope.covers_node(order.envelope.node):
            errors.add(lines[0], ORDER, f"{OUT_OF_SCOPE} ({number}){_more(lines)}.")
        elif order.status != OrderStatus.COMMITTED:
            state = "est annulée" if order.status == OrderStatus.CANCELLED else "est en brouillon"
            errors.add(
                lines[0],
                ORDER,
                f"la commande {number} {state}, non engagée : on ne livre qu'une commande "
                f"engagée{_more(lines)}.",
            )
        else:
            usable[number] = order

    # The lines of the orders, locked (in key order) while the import writes.
    line_rows = OrderLine.objects.filter(order__in=list(usable.values())).order_by("pk")
    if lock:
        line_rows = line_rows.select_for_update()
    order_lines = {(ol.order_id, ol.model_id): ol for ol in line_rows}

    counts: Counter = Counter()
    first_line: dict[tuple[str, str], int] = {}
    exceeded_at: dict[tuple[str, str], int] = {}
    group_lines: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        order, model = usable.get(row.order_number), models.get(row.reference)
        if order is None or model is None or row.repeated:
            continue
        key = (row.order_number, row.reference)
        counts[key] += 1
        group_lines[key].append(row.line)
        first_line.setdefault(key, row.line)
        order_line = order_lines.get((order.pk, model.pk))
        if (
            order_line is not None
            and key not in exceeded_at
            and order_line.delivered + counts[key] > order_line.quantity
        ):
            exceeded_at[key] = row.line

    groups = []
    for (number, reference), count in counts.items():
        order, model = usable[number], models[reference]
        order_line = order_lines.get((order.pk, model.pk))
        lines = group_lines[number, reference]
        if order_line is None:
            errors.add(
                lines[0],
                REFERENCE,
                f"la commande {number} n'a pas de ligne pour le modèle « {reference} »"
                f"{_more(lines)}.",
            )
            continue
        if (number, reference) in exceeded_at:
            left = order_line.quantity - order_line.delivered
            errors.add(
                exceeded_at[number, reference],
                ORDER,
                f"la ligne « {reference} » de la commande {number} serait dépassée : "
                f"{plural(count, 'matériel livré|matériels livrés')} par ce fichier pour "
                f"{plural(left, 'restant|restants')} à livrer "
                f"({order_line.quantity} commandés, {order_line.delivered} déjà livrés).",
            )
        groups.append(
            DeliveryGroup(
                order_number=number,
                reference=reference,
                model_name=str(model.name),
                count=count,
                quantity=order_line.quantity,
                delivered_before=order_line.delivered,
            )
        )
    groups.sort(key=lambda g: (g.order_number, g.reference))
    return DeliveryCheck(
        label=label,
        rows=rows,
        groups=groups,
        tags_to_generate=sum(1 for r in rows if not r.asset_tag),
        models=models,
        orders=usable,
        lines=order_lines,
    )


def _table(table_or_path, label: str | None):
    if isinstance(table_or_path, str | Path):
        return open_table(table_or_path, label=label)
    return table_or_path


def check_deliveries(
    *,
    table_or_path,
    label: str | None = None,
    scope: Scope = EVERYTHING,
    progress: Progress | None = None,
) -> DeliveryCheck:
    """The whole file read and checked, nothing written (the preview); raises
    :class:`ImportFileError` with every error, each with its line and column. ``scope``: the
    MANAGE_ASSETS scope of the person importing (every order must be charged to an envelope of a
    node it covers)."""
    progress = progress or Progress()
    try:
        return _check(_table(table_or_path, label), scope=scope, lock=False, progress=progress)
    finally:
        progress.close()


@transaction.atomic
def import_deliveries(
    *,
    table_or_path,
    actor=None,
    job=None,
    label: str | None = None,
    scope: Scope = EVERYTHING,
    source: str = AuditSource.IMPORT,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> DeliveryResult:
    """Enters every device of a delivery file in the register, in stock at the node of its
    order's envelope, against its order line (``delivered`` increased), with its warranty end,
    an event in its history and, for the import, one audit record per order; or nothing: raises
    :class:`ImportFileError` with every error. The order lines are locked
    (``select_for_update``) from their check to the commit, so two imports against one order
    cannot deliver more than it ordered. Returns the ids of the orders delivered against."""
    started = time.monotonic()
    progress = progress or Progress()
    try:
        table = _table(table_or_path, label)
        check = _check(table, scope=scope, lock=True, progress=progress)
        result = _write(check, actor=actor, job=job, source=source, progress=progress)
        # The kits of the campaigns ordered with these orders, now complete, are delivered.
        result.allocations_delivered = assign_deliveries(order_ids=result.order_ids, actor=actor)
    finally:
        progress.close()
    if dry_run:
        transaction.set_rollback(True)
        result.dry_run = True
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _write(check: DeliveryCheck, *, actor, job, source, progress: Progress) -> DeliveryResult:
    """Writes the checked rows: the devices (``COPY``/``executemany``, see
    :func:`tne.core.bulk.insert_rows`), their history (the rows :func:`.history.log_events` writes,
    inserted the same way), the order lines' ``delivered``, one audit record per order."""
    rows = check.rows
    tags = iter(new_tags(check.tags_to_generate, taken={r.asset_tag for r in rows if r.asset_tag}))
    ops = connection.ops
    now = timezone.now()
    stamp = ops.adapt_datetimefield_value(now)
    dates: dict[datetime.date, object] = {}

    def day(value: datetime.date):
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    delivered: Counter = Counter()
    serials_of_order: dict[int, list[str]] = defaultdict(list)
    values = []
    for row in rows:
        order, model = check.orders[row.order_number], check.models[row.reference]
        order_line = check.lines[order.pk, model.pk]
        values.append(
            (
                row.serial,
                row.asset_tag or next(tags),
                model.pk,
                AssetState.IN_STOCK,
                order.envelope.node_id,
                order_line.pk,
                day(row.delivered_on),
                day(add_months(row.delivered_on, model.warranty_months)),
                AssetSource.DELIVERY,
                "",
                stamp,
                stamp,
            )
        )
        delivered[order_line.pk] += 1
        serials_of_order[order.pk].append(row.serial)
    progress.start(len(values), f"Enregistrement de {check.label}")
    for start in range(0, len(values), BATCH * 10):
        insert_rows(Asset, ASSET_COLUMNS, values[start : start + BATCH * 10])
        progress.advance(len(values[start : start + BATCH * 10]))
    for order_line in check.lines.values():
        if delivered[order_line.pk]:
            order_line.delivered += delivered[order_line.pk]
            OrderLine.objects.filter(pk=order_line.pk).update(delivered=order_line.delivered)
    # The devices of this import: its order lines are locked, so no other import writes on them,
    # and they share one creation time (one query, not one per chunk of serials).
    ids = dict(
        Asset.objects.filter(order_line__in=list(delivered), created_at=now).values_list(
            "serial_number", "pk"
        )
    )
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    orders = sorted({o.pk: o for o in check.orders.values()}.values(), key=lambda o: o.pk)
    delivered_orders = [o for o in orders if serials_of_order[o.pk]]
    for order in delivered_orders:
        serials = serials_of_order[order.pk]
        note = f"Livraison de la commande {order.number} (fichier « {check.label} »)"[:255]
        insert_rows(
            AssetEvent,
            EVENT_COLUMNS,
            (
                (ids[s], stamp, AssetEventKind.CREATED, "", AssetState.IN_STOCK, note, actor_id)
                for s in serials
            ),
        )
        record(
            order,
            AuditAction.UPDATE,
            actor=actor,
            source=source,
            job=job,
            place=order.envelope.node,
            changes={
                "livraison": [check.label, plural(len(serials), "matériel livré|matériels livrés")]
            },
        )
    return DeliveryResult(
        label=check.label,
        created=len(values),
        order_ids=[o.pk for o in delivered_orders],
        groups=check.groups,
        tags_generated=check.tags_to_generate,
    )


ASSET_COLUMNS = [
    "serial_number",
    "asset_tag",
    "model",
    "state",
    "stock_node",
    "order_line",
    "delivered_on",
    "warranty_ends_on",
    "source",
    "note",
    "created_at",
    "updated_at",
]
EVENT_COLUMNS = ["asset", "at", "kind", "from_state", "to_state", "note", "actor"]


def run_delivery_file(path, *, label=None, dry_run=False, progress=None) -> str:
    """``tne import FILE`` for a delivery file: the sentence it prints."""
    result = import_deliveries(
        table_or_path=path,
        label=label,
        source=AuditSource.CLI,
        progress=progress,
        dry_run=dry_run,
    )
    seconds = f"{result.seconds:.2f}".replace(".", ",")
    return f"{result.sentence()} ; {seconds} s" + (" (simulation)." if dry_run else ".")
