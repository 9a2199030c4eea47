"""Writes of many rows below the ORM, for the files of 100,000 lines, the allocation runs and the
demo: ``bulk_create`` spends most of its time preparing each value of each object (and stamps
``auto_now_add`` fields with now), and SQLite's bound on query parameters splits it into
thousands of statements.

One writer, :func:`insert_rows`: ``COPY`` on PostgreSQL, ``executemany`` by chunks elsewhere.
With ``adapt=True`` the values of dates, times, decimals and JSON are first adapted as the ORM
would (:func:`adapted_rows`, also what an ``UPDATE`` below the ORM needs); without it the caller
passes them as the database adapters of Django write them (``ops.adapt_datetimefield_value``),
which costs nothing per row."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connection

CHUNK = 5000  # rows per ``executemany``: the memory of one statement, whatever the input's size


def _adapter(field) -> Callable | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "TimeField":
        return ops.adapt_timefield_value
    if kind == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if kind == "JSONField":
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def adapted_rows(model, names: list[str], rows: Iterable[tuple]) -> Iterator[tuple]:
    """``rows`` (values of the fields ``names`` of ``model``, in that order) with their dates,
    times, decimals and JSON adapted for the database as the ORM would; other values (text,
    integers, booleans, ids) and ``None`` go as they are. Lazy: a generator in, a generator out."""
    adapters = [_adapter(model._meta.get_field(name)) for name in names]
    if not any(adapters):
        yield from (tuple(row) for row in rows)
        return
    for row in rows:
        yield tuple(
            a(v) if a is not None and v is not None else v
            for a, v in zip(adapters, row, strict=True)
        )


def chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``rows`` by lists of ``size`` (the last one shorter), without reading them all first."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(model, columns: list[str], rows: Iterable[tuple], *, adapt: bool = False) -> None:
    """Inserts many rows of ``model`` at once, below the ORM: ``COPY`` on PostgreSQL, one
    ``executemany`` per :data:`CHUNK` rows elsewhere. ``columns`` are field names (a foreign key
    by its field's name, ``"school"``, its value an id), each row their values in that order;
    ``rows`` may be a generator. ``adapt``: adapt dates, times, decimals and JSON as the ORM would
    (see :func:`adapted_rows`); else they must come adapted already."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(c).column) for c in columns)
    table = quote(meta.db_table)
    if adapt:
        rows = adapted_rows(model, columns, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)
