"""Set lookups of the register for files of many lines: which of these values already exist, in
a few queries whatever the file's size (chunks keep under SQLite's bound on query parameters)."""

from collections.abc import Iterable

CHUNK = 5000


def existing(model, field: str, values: Iterable[str]) -> set[str]:
    """The values of ``field`` among ``values`` that rows of ``model`` hold. Plain SQL: the
    ORM's preparation of each of 100,000 parameters costs more than the queries."""
    from django.db import connection

    values = list(dict.fromkeys(v for v in values if v))
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    table = connection.ops.quote_name(model._meta.db_table)
    found: set[str] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter, one query
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", [values])
            return {row[0] for row in cursor.fetchall()}
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found
