"""The DSFR login page."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_has_labelled_email_and_password_fields(client):
    response = client.get("/comptes/connexion/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Connexion — " in content
    assert "<h1>Connexion</h1>" in content
    assert '<label for="id_username" class="fr-label">' in content
    assert 'type="email"' in content
    assert '<label for="id_password" class="fr-label">' in content
    assert 'class="fr-input' in content


def test_logging_in_with_email_and_password(client):
    user = UserFactory(email="coordination@example.org")

    response = client.post(
        "/comptes/connexion/",
        {"username": "coordination@example.org", "password": "motdepasse-de-test"},
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_shows_an_error(client):
    UserFactory(email="coordination@example.org")

    response = client.post(
        "/comptes/connexion/", {"username": "coordination@example.org", "password": "non"}
    )

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session
