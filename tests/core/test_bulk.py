"""The one writer of many rows below the ORM (``COPY`` on PostgreSQL, ``executemany`` on SQLite):
what goes in reads back through the ORM the same, on both engines."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from tne.core.bulk import CHUNK, adapted_rows, chunks, insert_rows
from tne.core.models import Job, JobStatus
from tne.programme.models import Envelope, Measure
from tne.territory.models import SchoolYear

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

JOB_COLUMNS = [
    "kind",
    "label",
    "params",
    "status",
    "total",
    "done",
    "message",
    "result",
    "created_by",
    "created_at",
    "started_at",
]


def test_it_writes_times_json_and_foreign_keys_adapted_as_the_orm_would():
    user = UserFactory()
    at = datetime.datetime(2025, 3, 30, 1, 30, tzinfo=datetime.UTC)  # the night Paris moves
    later = at + datetime.timedelta(seconds=5)
    params = {"run": 1, "noms": ["é"]}
    insert_rows(
        Job,
        JOB_COLUMNS,
        [
            ("bulk.a", "Premier", params, JobStatus.SUCCEEDED, 3, 3, "", {}, user.pk, at, later),
            ("bulk.b", "Second", {}, JobStatus.PENDING, 0, 0, "", {"a": [1]}, None, at, None),
        ],
        adapt=True,
    )

    first, second = Job.objects.filter(kind__startswith="bulk.").order_by("kind")
    assert first.params == params
    assert first.created_by == user
    assert first.created_at == at
    assert first.started_at == later
    assert second.result == {"a": [1]}
    assert second.created_by is None and second.started_at is None
    assert Job.objects.filter(created_at=at).count() == 2  # stored as the ORM's lookups read it


def test_it_writes_dates_and_decimals_adapted_as_the_orm_would(tree):
    measure = Measure.objects.order_by("order").first()
    now = timezone.now()
    insert_rows(
        Envelope,
        ["measure", "node", "amount", "note", "updated_at"],
        [(measure.pk, tree.aisne.pk, Decimal("1234567.89"), "Enveloppe « test »", now)],
        adapt=True,
    )
    insert_rows(
        SchoolYear,
        ["label", "starts_on", "ends_on", "is_pinned"],
        [("2031-2032", datetime.date(2031, 9, 1), datetime.date(2032, 7, 4), False)],
        adapt=True,
    )

    envelope = Envelope.objects.get(note="Enveloppe « test »")
    assert envelope.amount == Decimal("1234567.89")
    assert envelope.updated_at == now
    year = SchoolYear.objects.get(label="2031-2032")
    assert (year.starts_on, year.ends_on) == (datetime.date(2031, 9, 1), datetime.date(2032, 7, 4))
    assert SchoolYear.objects.filter(starts_on__year=2031).get() == year


def test_it_takes_values_the_caller_adapted_once_for_every_row():
    """The import files' way: one creation time adapted once, shared by 100,000 rows."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    insert_rows(
        Job,
        ["kind", "label", "params", "result", "status", "total", "done", "message", "created_at"],
        [("bulk.c", "Pré-adapté", "{}", '{"n": 2}', JobStatus.SUCCEEDED, 0, 0, "", stamp)],
    )

    job = Job.objects.get(kind="bulk.c")
    assert job.created_at == now
    assert job.result == {"n": 2}


def test_it_reads_a_generator_of_more_rows_than_one_chunk():
    now = timezone.now()
    count = CHUNK * 2 + 7
    rows = (
        (f"bulk.{i:05d}", f"Tâche {i}", {}, JobStatus.PENDING, i, 0, "", {}, None, now, None)
        for i in range(count)
    )

    insert_rows(Job, JOB_COLUMNS, rows, adapt=True)

    jobs = Job.objects.filter(kind__startswith="bulk.")
    assert jobs.count() == count
    assert sorted(jobs.values_list("total", flat=True)) == list(range(count))


def test_it_writes_nothing_for_no_rows():
    insert_rows(Job, JOB_COLUMNS, [], adapt=True)
    insert_rows(Job, JOB_COLUMNS, iter(()))

    assert not Job.objects.exists()


def test_adapted_rows_leave_text_numbers_and_none_as_they_are():
    at = timezone.now()
    rows = list(adapted_rows(Job, ["kind", "total", "started_at"], [("a", 1, None), ("b", 2, at)]))

    assert rows[0] == ("a", 1, None)
    assert rows[1][:2] == ("b", 2)
    assert rows[1][2] == connection.ops.adapt_datetimefield_value(at)


def test_chunks_cut_without_reading_everything_first():
    assert [len(c) for c in chunks(iter(range(11)), 5)] == [5, 5, 1]
    assert list(chunks([], 5)) == []
