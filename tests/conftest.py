import pytest

from tests.factories import territory_tree


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Jobs run inline in tests: the real handler, with the ImmediateBackend of django-tasks."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def tree(db):
    return territory_tree()
