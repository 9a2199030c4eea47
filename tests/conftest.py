import pytest
from django.core.cache import cache
from django.db.backends.signals import connection_created

from tests.factories import territory_tree


def _bounded_lock_waits(sender, connection, **kwargs):
    """On PostgreSQL a statement that waits for a lock fails after a minute, naming the statement,
    instead of hanging the suite (a lock held by another session of the same test run)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '60s'")


connection_created.connect(_bounded_lock_waits)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Jobs run inline in tests: the real handler, with the ImmediateBackend of django-tasks."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Each test has an empty in-memory cache (jobs publish their live progress there)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The production hasher is slow on purpose; tests do not need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return territory_tree()
