"""The asset tags TNE gives to devices entered without one: ``TNE`` and eight digits
(``TNE00001234``), from one sequence.

Why this sequence is safe under concurrency: on PostgreSQL it is a database sequence
(``equipment_asset_tag_seq``, created by migration ``0003``): ``nextval`` never hands the same
number to two transactions, takes no lock that lasts until commit (two imports reserving tags at
once do not wait for each other) and reserves a whole block in one statement; a rolled-back
import leaves a gap, which is harmless for an inventory number. SQLite serialises writing
transactions (``transaction_mode=IMMEDIATE``), so there the next number is read from the largest
tag of this form under the import's own write lock. Either way a number already taken (a tag of
this form written by hand or imported) is skipped, so the unique constraint never fires."""

import re

from django.db import connection
from django.db.models import Max

from ..models import Asset

PREFIX = "TNE"
WIDTH = 8
SEQUENCE = "equipment_asset_tag_seq"
TAG_RE = re.compile(rf"^{PREFIX}[0-9]{{{WIDTH}}}$")


def format_tag(number: int) -> str:
    return f"{PREFIX}{number:0{WIDTH}d}"


def _reserve(count: int) -> list[int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
    last = Asset.objects.filter(asset_tag__regex=TAG_RE.pattern).aggregate(top=Max("asset_tag"))
    start = int(last["top"][len(PREFIX) :]) + 1 if last["top"] else 1
    return list(range(start, start + count))


def new_tags(count: int, *, taken: set[str] = frozenset()) -> list[str]:
    """``count`` new tags, none of them in ``taken`` (the file's own tags) nor in the register.
    One query to reserve a block, one for the tags already in its range."""
    tags: list[str] = []
    while len(tags) < count:
        wanted = count - len(tags)
        candidates = [format_tag(n) for n in _reserve(wanted)]
        # The numbers of a block are in one range: one query for the tags already in it.
        used = set(
            Asset.objects.filter(asset_tag__range=(min(candidates), max(candidates))).values_list(
                "asset_tag", flat=True
            )
        )
        tags += [tag for tag in candidates if tag not in used and tag not in taken]
    return tags
