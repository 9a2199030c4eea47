"""The bench database: created when missing, dropped and recreated with ``--reset``. Runs before
Django is set up, with psycopg alone, connected to a maintenance database of the same server."""

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

MAINTENANCE_DATABASES = ("postgres", "tne", "template1")


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL sans nom de base : {url}")
    return name


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _maintenance_connection(url: str) -> psycopg.Connection:
    errors = []
    for name in MAINTENANCE_DATABASES:
        try:
            return psycopg.connect(with_database(url, name), autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            errors.append(f"{name} : {exc}")
    raise SystemExit("Connexion à PostgreSQL impossible :\n" + "\n".join(errors))


def ensure_database(url: str, *, reset: bool) -> bool:
    """Creates the database of ``url`` when missing (dropping it first with ``reset``); returns
    whether it was created."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"Le banc d'essai tourne sur PostgreSQL ; DATABASE_URL vaut {url!r}.")
    name = database_name(url)
    with _maintenance_connection(url) as conn:
        if reset:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def server_version(url: str) -> str:
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
