"""Two imports at once (two jobs, or a job and the CLI) must not insert a school twice."""

import threading

import pytest
from django.db import connection

from tests.territory.helpers_importers import fixture
from tne.core.models import AuditEvent
from tne.territory.importers import import_file
from tne.territory.models import School


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The in-memory SQLite test database (shared cache) raises « table is locked » instead "
    "of waiting; a file SQLite database serialises writers (IMMEDIATE transactions).",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_the_same_file_create_each_school_once():
    errors, reports = [], []

    def run():
        try:
            reports.append(import_file(fixture("ips_ecoles.csv")))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    rows = reports[0].rows
    assert School.objects.count() == rows
    # One import created every school, the other found them all unchanged.
    assert sorted((r.created, r.unchanged) for r in reports) == [(0, rows), (rows, 0)]
    assert AuditEvent.objects.count() == rows
