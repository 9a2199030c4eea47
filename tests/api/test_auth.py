import datetime

import pytest
from django.utils import timezone

from tests.factories import Role, user_with_role
from tne.accounts.models import ApiToken
from tne.accounts.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


def test_a_personal_token_authenticates(client, coordinator):
    _, raw = create_api_token(user=coordinator, name="Script")

    response = client.get("/api/v1/me", headers=bearer(raw))

    assert response.status_code == 200
    assert response.json()["email"] == coordinator.email


def test_no_credentials_is_a_401_in_json(client, tree):
    response = client.get("/api/v1/schools")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authentification requise" in response.json()["detail"]


def test_an_unknown_token_is_a_401(client, coordinator):
    create_api_token(user=coordinator, name="Script")

    response = client.get("/api/v1/me", headers=bearer("tne_" + "x" * 43))

    assert response.status_code == 401


def test_a_revoked_token_is_a_401(client, coordinator):
    token, raw = create_api_token(user=coordinator, name="Script")
    revoke_api_token(user=coordinator, token_id=token.pk)

    response = client.get("/api/v1/me", headers=bearer(raw))

    assert response.status_code == 401
    assert "révoqué" in response.json()["detail"]


def test_an_expired_token_is_a_401(client, coordinator):
    token, raw = create_api_token(
        user=coordinator, name="Script", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get("/api/v1/me", headers=bearer(raw))

    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_a_401(client, coordinator):
    _, raw = create_api_token(user=coordinator, name="Script")
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    response = client.get("/api/v1/me", headers=bearer(raw))

    assert response.status_code == 401


def test_a_bad_token_is_refused_even_with_a_session(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/api/v1/me", headers=bearer("tne_not-a-token"))

    assert response.status_code == 401


def test_the_browser_session_authenticates(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == coordinator.email


def test_it_notes_the_last_use_at_most_once_a_minute(client, coordinator):
    token, raw = create_api_token(user=coordinator, name="Script")

    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    first_use = token.last_used_at
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()

    assert first_use is not None
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first_use - datetime.timedelta(minutes=2)
    )
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_me_lists_roles_and_scope(client, tree):
    user = user_with_role(Role.EVALUATOR, tree.vdo)
    client.force_login(user)

    data = client.get("/api/v1/me").json()

    assert data["roles"] == [
        {
            "role": {"code": "EVALUATOR", "label": "Évaluateur"},
            "target_kind": "DEPARTEMENT",
            "target_code": "95",
            "target_name": "Val-d'Oise",
        }
    ]
    assert {
        "code": "accounts.use_api",
        "label": "Utiliser l'API (jetons d'API personnels)",
        "everything": False,
    } in data["permissions"]
    assert [p["code"] for p in data["permissions"]] == [
        "accounts.use_api",
        "equipment.view_progress",
        "loans.view_dashboard",
        "programme.view",
        "territory.browse",
        "territory.export",
        "territory.view_ips",
        "territory.view_schools",
    ]
    assert data["permissions"][-1] == {
        "code": "territory.view_schools",
        "label": "Consulter les établissements, leurs classes et leurs chiffres",
        "everything": False,
    }
