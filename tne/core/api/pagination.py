"""Keyset (cursor) pagination for every list of the API.

A list is ordered by a unique key (``("pk",)``, or ``("name", "pk")`` for schools); the
``cursor`` is the opaque base64 of the last row's key, and the next page is the rows strictly
after it. No OFFSET, no COUNT(*): one query per page, whatever the size of the table.

    @router.get("/schools", response=list[SchoolOut])
    @paginate(KeysetPagination, ordering=("name", "pk"))
    def list_schools(request): ...
"""

import base64
import binascii
import json
from typing import Any

from django.db.models import Q, QuerySet
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(key: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple:
    """The key encoded in ``cursor``; a 400 error if it is not a cursor of this list."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, "Curseur de pagination invalide.") from exc
    if (
        not isinstance(key, list)
        or len(key) != size
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in key)
    ):
        raise HttpError(400, "Curseur de pagination invalide.")
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
        queryset = queryset.filter(after(ordering, decode_cursor(cursor, len(ordering))))
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
