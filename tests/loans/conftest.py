import pytest

from tests.equipment.factories import ensure_catalogue
from tests.programme.factories import ensure_measures


@pytest.fixture(autouse=True)
def _reference(request):
    """The measures, categories and kits of the data migrations in every test using the
    database (back after a ``transaction=True`` test flushed them); the engine's tests use none."""
    if "db" in request.fixturenames or "tree" in request.fixturenames:
        request.getfixturevalue("db")
        ensure_measures()
        ensure_catalogue()
