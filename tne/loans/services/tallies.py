"""The per-school loans figures (:class:`~tne.loans.models.SchoolLoanTally`), rebuilt for the
schools a change touched, inside the transaction of the change.

Every service that writes needs or changes the status of loans calls :func:`recount` with the
schools it touched, last, before its transaction commits; a bulk writer (the demo, the
benchmarks) calls it once with ``None``. The dashboards then sum these rows (one per school)."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum

from tne.territory.models import School

from ..enums import HANDED_OUT_STATUSES, LOST_OUTCOMES, LoanStatus
from ..models import Loan, NeedDeclaration, SchoolLoanTally

COUNTED = (
    "needs",
    "served",
    "equipped",
    "active",
    "lost",
    "lent_devices",
    "lent_id_sum",
    "lent_id_max",
)

HANDED_OUT_DEVICE = Q(status__in=HANDED_OUT_STATUSES, asset__isnull=False)
LOAN_FIGURES = {
    # Pupils, not loans: a pupil lent a tablet and a 4G router counts once.
    "served": Count("pupil_id", distinct=True, filter=~Q(status=LoanStatus.DECLINED)),
    "equipped": Count("pupil_id", distinct=True, filter=Q(status__in=HANDED_OUT_STATUSES)),
    "active": Count("pk", filter=Q(status=LoanStatus.ACTIVE)),
    "lost": Count("pk", filter=Q(status=LoanStatus.CLOSED, outcome__in=LOST_OUTCOMES)),
    "lent_devices": Count("asset_id", filter=HANDED_OUT_DEVICE),
    "lent_id_sum": Sum("asset_id", filter=HANDED_OUT_DEVICE),
    "lent_id_max": Max("asset_id", filter=HANDED_OUT_DEVICE),
}


PLACES = SchoolLoanTally.PLACES


def _figures(school_ids: list[int] | None) -> dict[int, dict[str, int]]:
    """The figures of the schools (every school with a need or a loan when ``None``), counted
    from the loans and the needs: two GROUP BY."""
    loans = Loan.objects.order_by()
    needs = NeedDeclaration.objects.order_by()
    if school_ids is not None:
        loans = loans.filter(school_id__in=school_ids)
        needs = needs.filter(pupil__school_id__in=school_ids)
    found: dict[int, dict[str, int]] = {}
    for row in loans.values("school_id").annotate(**LOAN_FIGURES):
        found[row.pop("school_id")] = row
    for school_id, n in needs.values_list("pupil__school_id").annotate(n=Count("pupil_id")):
        found.setdefault(school_id, {}).update(needs=n)
    return found


# Schools recounted per round of queries (a national run touches tens of thousands; SQLite takes
# at most 32,766 parameters in a query).
CHUNK = 2000


def _places(school_ids: list[int], *, lock: bool = False) -> dict[int, dict]:
    """The places of the schools (a query per 2,000), their rows locked when ``lock``
    (PostgreSQL: two recounts of one school at once would each miss the other's change; SQLite
    has no row lock, its writers take turns on the whole database)."""
    found = {}
    for start in range(0, len(school_ids), CHUNK):
        rows = School.objects.filter(pk__in=school_ids[start : start + CHUNK]).order_by("pk")
        if lock and connection.features.has_select_for_update:
            rows = rows.select_for_update()
        found.update((row.pop("pk"), row) for row in rows.values("pk", *PLACES))
    return found


def _counts(found: dict[str, int]) -> dict[str, int]:
    """Every counted figure of a school, 0 where its loans or needs have none."""
    return {name: found.get(name) or 0 for name in COUNTED}


# Within the caller's transaction (a service's): no savepoint of its own, two statements fewer
# on every hand-out; an error rolls back the whole step, as it must.
@transaction.atomic(savepoint=False)
def recount(school_ids: Iterable[int] | None = None) -> int:
    """Rebuild the tallies of ``school_ids`` (of every school when ``None``) from the loans and
    the needs. Four queries per 2,000 schools: the schools and their places (locked), their
    loans, their needs, one upsert. Returns the number of tally rows written."""
    if school_ids is None:
        SchoolLoanTally.objects.all().delete()
        figures = _figures(None)
        return _write(figures, _places(sorted(figures)), update=False)
    school_ids = sorted(set(school_ids))
    written = 0
    for start in range(0, len(school_ids), CHUNK):
        chunk = school_ids[start : start + CHUNK]
        places = _places(chunk, lock=True)
        figures = _figures(chunk)
        # A school left with nothing keeps a row of zeros (its figures did change).
        for school_id in places:
            figures.setdefault(school_id, {})
        written += _write(figures, places, update=True)
    return written


def _write(figures: dict[int, dict[str, int]], places: dict[int, dict], *, update: bool) -> int:
    rows = [
        SchoolLoanTally(
            school_id=school_id,
            **_counts(found),
            **places[school_id],
        )
        for school_id, found in figures.items()
        if school_id in places
    ]
    written = [*COUNTED, *(name.removesuffix("_id") for name in PLACES), "updated_at"]
    options = (
        {"update_conflicts": True, "unique_fields": ["school"], "update_fields": written}
        if update
        else {}
    )
    SchoolLoanTally.objects.bulk_create(rows, batch_size=CHUNK, **options)
    return len(rows)


def differences() -> dict[int, tuple[dict, dict]]:
    """The schools whose tally differs from a recount (its figures, or its places after a school
    moved): school id → (kept, counted). Empty when every service kept its tallies (``tne
    recount_loan_tallies --check``)."""
    figures = _figures(None)
    kept = {
        row.pop("school_id"): row
        for row in SchoolLoanTally.objects.values("school_id", *COUNTED, *PLACES)
    }
    ids = sorted(set(figures) | set(kept))
    places = _places(ids)
    counted = {pk: {**_counts(figures.get(pk, {})), **places.get(pk, {})} for pk in ids}
    differ = {}
    for pk in ids:
        mine = kept.get(pk, {**_counts({}), **places.get(pk, {})})
        if mine != counted[pk]:
            differ[pk] = (mine, counted[pk])
    return differ
