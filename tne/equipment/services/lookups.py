"""Set lookups of the register for files of many lines: which of these values already exist, in
a few queries whatever the file's size (chunks keep under SQLite's bound on query parameters)."""

from collections.abc import Iterable

CHUNK = 5000


def existing(queryset, field: str, values: Iterable[str]) -> set[str]:
    """The values of ``field`` among ``values`` that rows of ``queryset`` hold."""
    values = list(dict.fromkeys(v for v in values if v))
    found: set[str] = set()
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        found.update(queryset.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found
