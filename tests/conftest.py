import pytest

from tests.factories import territory_tree


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Jobs run inline in tests: the real handler, with the ImmediateBackend of django-tasks."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The production hasher is slow on purpose; tests do not need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return territory_tree()
