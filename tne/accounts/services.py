"""Writes on accounts: personal API tokens (created, revoked, used)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tne.core import audit

from .models import ApiToken, User, hash_token

# ``last_used_at`` is written at most this often, so a busy client does not write on each call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def create_api_token(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the raw value, which is never stored and must
    be shown once. Two active tokens of one user cannot share a name (whatever its case)."""
    # Locking the user's row makes two simultaneous creations with one name wait for each other.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    name = name.strip()
    if ApiToken.objects.active().filter(user=user, name__iexact=name).exists():
        raise ValidationError({"name": "Vous avez déjà un jeton actif portant ce nom."})
    raw = ApiToken.generate()
    token = ApiToken(
        user=user,
        name=name,
        key_hash=hash_token(raw),
        hint=raw[: len(ApiToken.PREFIX) + 4],
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit.record(
        token,
        audit.AuditAction.CREATE,
        actor=user,
        changes={
            "name": [None, token.name],
            "expires_at": [None, expires_at.isoformat() if expires_at else None],
        },
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    """Revokes one of ``user``'s active tokens; another user's token is a 404."""
    token = get_object_or_404(
        ApiToken.objects.active().select_for_update().filter(user=user), pk=token_id
    )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        token,
        audit.AuditAction.UPDATE,
        actor=user,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return token


def use_api_token(*, raw: str) -> User | None:
    """The active user owning the active token ``raw``, or None. Notes the use, at most once a
    minute per token (one UPDATE only then)."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
