import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.factories import UserFactory
from tne.accounts.models import ApiToken, hash_token
from tne.accounts.services import create_api_token, revoke_api_token, use_api_token
from tne.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_and_a_hint():
    user = UserFactory()

    token, raw = create_api_token(user=user, name="  Suivi des prêts ")

    token.refresh_from_db()
    assert raw.startswith("tne_") and len(raw) > 40
    assert token.key_hash == hash_token(raw)
    assert token.hint == raw[:8]
    assert token.name == "Suivi des prêts"
    assert raw not in {getattr(token, f.attname) for f in ApiToken._meta.fields}


def test_creating_a_token_is_audited():
    user = UserFactory()
    expires_at = timezone.now() + datetime.timedelta(days=30)

    token, _ = create_api_token(user=user, name="Script", expires_at=expires_at)

    event = AuditEvent.objects.get(object_id=str(token.pk))
    assert (event.action, event.actor) == (AuditAction.CREATE, user)
    assert event.changes == {
        "name": [None, "Script"],
        "expires_at": [None, expires_at.isoformat()],
    }


def test_revoking_a_token_is_audited_and_stops_it():
    user = UserFactory()
    token, raw = create_api_token(user=user, name="Script")

    revoke_api_token(user=user, token_id=token.pk)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert use_api_token(raw=raw) is None
    event = AuditEvent.objects.get(object_id=str(token.pk), action=AuditAction.UPDATE)
    assert event.actor == user
    assert list(event.changes) == ["revoked_at"]


def test_a_user_cannot_revoke_the_token_of_another_user():
    owner, other = UserFactory(), UserFactory()
    token, raw = create_api_token(user=owner, name="Script")

    with pytest.raises(Http404):
        revoke_api_token(user=other, token_id=token.pk)

    assert use_api_token(raw=raw) == owner


def test_a_revoked_token_cannot_be_revoked_twice():
    user = UserFactory()
    token, _ = create_api_token(user=user, name="Script")
    revoke_api_token(user=user, token_id=token.pk)

    with pytest.raises(Http404):
        revoke_api_token(user=user, token_id=token.pk)


def test_a_name_is_required():
    with pytest.raises(ValidationError):
        create_api_token(user=UserFactory(), name="   ")

    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("raw", ["", "Bearer", "tne_", "abc", "tne_" + "a" * 43])
def test_an_unknown_value_authenticates_nobody(raw):
    create_api_token(user=UserFactory(), name="Script")

    assert use_api_token(raw=raw) is None
