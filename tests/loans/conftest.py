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


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """The conventions and receipts a test renders go under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    """The people of a counter (``lifecycle_factories.Counter``)."""
    from .lifecycle_factories import Counter

    return Counter(tree)
