"""Keyset (cursor) pagination for every list of the API.

A list is ordered by a unique key (``("pk",)``, or ``("name", "pk")`` for schools); the
``cursor`` is the opaque base64 of the last row's key, and the next page is the rows strictly
after it. No OFFSET, no COUNT(*): one query per page, whatever the size of the table.

A cursor comes back from the client: it is decoded and checked here, once for every router,
against the types of the ordering fields (an integer of 64 bits, a text without NUL nor lone
surrogate), so that a forged or damaged cursor is a 400 in French, never a database error.

    @router.get("/schools", response=list[SchoolOut])
    @paginate(KeysetPagination, ordering=("name", "pk"))
    def list_schools(request): ...
"""

import base64
import binascii
import functools
import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(key: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


CURSOR_ERROR = (
    "Paramètre «\u00a0cursor\u00a0»\u00a0: curseur invalide\u00a0; "
    "reprenez la liste depuis le début."
)
MAX_CURSOR_LENGTH = 1000
# What the databases take: a signed 64-bit integer (SQLite raises OverflowError beyond).
INT_RANGE = range(-(2**63), 2**63)

_INTEGER_FIELDS = (models.IntegerField, models.AutoField, models.BigAutoField)
_TEXT_FIELDS = (models.CharField, models.TextField)


@functools.cache
def key_types(model: type[models.Model], ordering: tuple[str, ...]) -> tuple[type, ...]:
    """The Python type (``int`` or ``str``) of each field of ``ordering`` on ``model``: what a
    decoded cursor must hold. A foreign key counts as its target's key. Only integer and text
    fields may order a keyset list (their values go through JSON unchanged)."""
    types = []
    for name in ordering:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        while field.is_relation:
            field = field.target_field
        if isinstance(field, _INTEGER_FIELDS):
            types.append(int)
        elif isinstance(field, _TEXT_FIELDS):
            types.append(str)
        else:
            raise ImproperlyConfigured(
                f"Keyset pagination orders on integer or text fields, not {model.__name__}.{name}."
            )
    return tuple(types)


def _valid(value: Any, expected: type) -> bool:
    if expected is int:
        return type(value) is int and value in INT_RANGE
    if type(value) is not str:
        return False
    try:
        value.encode("utf-8")  # a lone surrogate cannot be sent to the database
    except UnicodeEncodeError:
        return False
    return "\x00" not in value  # nor can a NUL character (PostgreSQL)


def decode_cursor(cursor: str, types: tuple[type, ...]) -> tuple:
    """The key encoded in ``cursor``, checked against the ``types`` of the ordering fields; a 400
    error (French message naming the parameter) if it is not a cursor of this list."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError, RecursionError) as exc:
        raise HttpError(400, CURSOR_ERROR) from exc
    if (
        not isinstance(key, list)
        or len(key) != len(types)
        or not all(_valid(value, expected) for value, expected in zip(key, types, strict=True))
    ):
        raise HttpError(400, CURSOR_ERROR)
    return tuple(key)


def after(ordering: tuple[str, ...], key: tuple) -> Q:
    """Rows strictly after ``key`` in the ascending order ``ordering``:
    (a > x) OR (a = x AND b > y) OR …"""
    query = Q()
    for i, field in enumerate(ordering):
        equal = {name: value for name, value in zip(ordering[:i], key[:i], strict=True)}
        query |= Q(**equal, **{f"{field}__gt": key[i]})
    return query


def keyset_page(
    queryset: QuerySet, *, ordering: tuple[str, ...], cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``queryset`` and the cursor of the next one (None on the last page)."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        key = decode_cursor(cursor, key_types(queryset.model, ordering))
        queryset = queryset.filter(after(ordering, key))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(tuple(getattr(last, field) for field in ordering))


class KeysetPagination(PaginationBase):
    """django-ninja paginator: ``@paginate(KeysetPagination, ordering=("name", "pk"))``."""

    class Input(Schema):
        cursor: str | None = Field(
            None,
            description="Curseur opaque renvoyé par la page précédente (`next_cursor`).",
        )
        limit: int = Field(
            DEFAULT_LIMIT,
            ge=1,
            le=MAX_LIMIT,
            description=f"Nombre d'éléments par page (au plus {MAX_LIMIT}).",
        )

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(
            description="Curseur de la page suivante ; `null` sur la dernière page."
        )

    def __init__(self, *, ordering: tuple[str, ...] = ("pk",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ordering = ordering

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any) -> dict:
        items, next_cursor = keyset_page(
            queryset, ordering=self.ordering, cursor=pagination.cursor, limit=pagination.limit
        )
        return {"items": items, "next_cursor": next_cursor}
