"""Failed logins are throttled per account and per address (django-axes), on the login page and
on the administration's, with a French page that says when to try again."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/comptes/connexion/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "motdepasse-de-test"


def _try(client, email, password, *, url=LOGIN, address="192.0.2.10"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(client, settings):
    person = UserFactory(email="cible@example.org")
    for _ in range(40):
        _try(client, person.email, "mauvais")

    response = _try(client, person.email, PASSWORD)

    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Trop de tentatives de connexion ont échoué" in page
    assert f"pendant {settings.AXES_COOLOFF_TIME.seconds // 60}&nbsp;minutes" in page
    assert "Réessayez après" in page


def test_the_limit_counts_the_address_whatever_its_case(client, settings):
    UserFactory(email="casse@example.org")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "Casse@Example.org" if attempt % 2 else "casse@example.org", "mauvais")

    assert _try(client, "casse@example.org", PASSWORD).status_code == 429


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, settings):
    person = UserFactory(email="distrait@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, person.email, "mauvais")

    _try(client, person.email, PASSWORD)

    assert _logged_in(client)
    # A success resets the count.
    assert not AccessAttempt.objects.filter(username=person.email).exists()


def test_logging_in_works_again_after_the_cool_off(client, settings):
    person = UserFactory(email="patient@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, person.email, "mauvais")
    assert _try(client, person.email, PASSWORD).status_code == 429

    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    _try(client, person.email, PASSWORD)

    assert _logged_in(client)


def test_one_address_trying_many_accounts_is_throttled_too(client, settings):
    target = UserFactory(email="autre@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"essai{n}@example.org", "mauvais", address="198.51.100.7")

    refused = _try(client, target.email, PASSWORD, address="198.51.100.7")
    elsewhere = _try(client, target.email, PASSWORD, address="203.0.113.9")

    assert refused.status_code == 429
    assert elsewhere.status_code == 302 and _logged_in(client)


def test_the_admin_login_is_throttled_the_same_way(client, settings):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, admin.email, "mauvais", url=ADMIN_LOGIN)

    response = _try(client, admin.email, PASSWORD, url=ADMIN_LOGIN)

    assert response.status_code == 429
    assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
    assert not _logged_in(client)


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(client, settings):
    settings.TNE_BEHIND_PROXY = True
    target = UserFactory(email="proxy@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"x{n}@example.org", "password": "mauvais"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.20",
        )

    other_client = client.post(
        LOGIN,
        {"username": target.email, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.30",
    )

    # The proxy's own address (127.0.0.1) is shared by everybody: it is not what is counted.
    assert other_client.status_code == 302
