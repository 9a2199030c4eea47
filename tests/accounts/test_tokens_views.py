"""The page « Mes jetons d'API »: list, create (the token is shown once), revoke (confirmed).
The POST/redirect/GET of the creation, the names and the revoked tokens: test_tokens_prg.py."""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.conftest import raw_token_shown
from tests.factories import UserFactory
from tne.accounts.models import ApiToken, hash_token
from tne.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

URL = "/comptes/jetons/"


def test_the_page_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")


def test_it_lists_the_user_tokens_only(client, owner):
    create_api_token(user=owner, name="Mon script")
    create_api_token(user=UserFactory(), name="Script d'un autre")

    response = client.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Mes jetons d&#x27;API</h1>" in content
    assert "Mon script" in content
    assert "Script d&#x27;un autre" not in content
    assert "Jamais" in content and "Sans expiration" in content


def test_creating_shows_the_raw_token_once_and_stores_only_its_hash(client, owner):
    response = client.post(URL, {"name": "Tableau de suivi", "expires_on": ""}, follow=True)

    raw = raw_token_shown(response)
    token = ApiToken.objects.get(user=owner)
    assert response.redirect_chain == [(URL, 302)]
    assert token.key_hash == hash_token(raw)
    assert token.name == "Tableau de suivi"
    assert token.expires_at is None
    assert raw not in client.get(URL).content.decode()


def test_the_token_shown_works_on_the_api(client, owner):
    raw = raw_token_shown(client.post(URL, {"name": "Tableau de suivi"}, follow=True))
    client.logout()

    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})

    assert api.status_code == 200
    assert api.json()["email"] == owner.email


def test_an_expiry_date_ends_the_token_after_that_day(client, owner):
    day = timezone.localdate() + datetime.timedelta(days=10)

    client.post(URL, {"name": "Temporaire", "expires_on": day.isoformat()})

    expires_at = timezone.localtime(ApiToken.objects.get(user=owner).expires_at)
    assert expires_at.date() == day + datetime.timedelta(days=1)
    assert (expires_at.hour, expires_at.minute) == (0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Ce champ est obligatoire."),
        ({"name": "Passé", "expires_on": "2020-01-01"}, "doit être dans le futur"),
    ],
)
def test_an_invalid_form_creates_nothing(client, owner, data, message):
    response = client.post(URL, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()
    assert "raw-token" not in response.content.decode()


def test_revoking_asks_for_confirmation_first(client, owner):
    token, _ = create_api_token(user=owner, name="Mon script")
    revoke_url = f"{URL}{token.pk}/revoquer/"

    confirmation = client.get(revoke_url)

    token.refresh_from_db()
    assert confirmation.status_code == 200
    assert token.revoked_at is None
    assert 'method="post"' in confirmation.content.decode()
    assert "Révoquer le jeton" in confirmation.content.decode()


def test_revoking_on_post_revokes_and_redirects(client, owner):
    token, _ = create_api_token(user=owner, name="Mon script")

    response = client.post(f"{URL}{token.pk}/revoquer/", follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert response.redirect_chain == [(URL, 302)]
    assert "Le jeton « Mon script » est révoqué." in response.content.decode()
    assert "Jetons révoqués (1)" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_cannot_revoke_another_user_token(client, owner, method):
    token, _ = create_api_token(user=UserFactory(), name="Script d'un autre")

    response = getattr(client, method)(f"{URL}{token.pk}/revoquer/")

    token.refresh_from_db()
    assert response.status_code == 404
    assert token.revoked_at is None


def test_the_page_lists_tokens_in_a_fixed_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    for i in range(3):
        create_api_token(user=owner, name=f"Script {i}")
    with django_assert_max_num_queries(8) as small:
        client.get(URL)
    for i in range(20):
        create_api_token(user=owner, name=f"Autre {i}")

    with django_assert_max_num_queries(len(small)):
        client.get(URL)
