import pytest

from tests.programme.factories import PeriodFactory, ensure_measures


@pytest.fixture(autouse=True)
def _measures(request):
    """The eight measures of the data migration in every test that uses the database."""
    if "db" in request.fixturenames or "tree" in request.fixturenames:
        request.getfixturevalue("db")
        ensure_measures()


@pytest.fixture
def period(db):
    return PeriodFactory()
