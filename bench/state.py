"""What the bench has already done in its database (load, synthesis, with their timings), kept
in a small table of the bench database only, so that a re-run skips the slow steps and still
reports how long they took."""

import json

from django.db import connection

_DDL = "CREATE TABLE IF NOT EXISTS bench_state (key text PRIMARY KEY, value jsonb NOT NULL)"


def read(key: str):
    with connection.cursor() as cursor:
        cursor.execute(_DDL)
        cursor.execute("SELECT value FROM bench_state WHERE key = %s", [key])
        row = cursor.fetchone()
    if row is None:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]


def write(key: str, value) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_DDL)
        cursor.execute(
            "INSERT INTO bench_state (key, value) VALUES (%s, %s::jsonb) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value)],
        )
