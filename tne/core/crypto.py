"""Personal data sealed at rest: a value is stored as one Fernet token (AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) under a key that only the environment holds.

A raw dump of the database shows the tokens, never the names, phone numbers or addresses. Nothing
is decrypted implicitly: a model keeps the token in a plain text field and the one service that may
show the value calls :func:`unseal` (and logs the reading); admin pages, exports and the API see the
token or nothing.

Keys: ``TNE_DATA_KEYS`` is a comma-separated list of Fernet keys (``make demo`` writes one to
``var/data_keys``; :func:`new_key` makes one);
the first seals, every one opens, so a key is rotated by putting the new one first and re-sealing
(:func:`reseal`). Development and tests (``DEBUG``) fall back to a key derived from ``SECRET_KEY``;
production refuses to start without the variable."""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Unreadable(Exception):
    """A token no configured key opens (a wrong or rotated-away key, or a tampered value)."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def development_key(secret_key: str) -> str:
    digest = hashlib.sha256(f"tne-data-key:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Aucune clé de chiffrement : définir TNE_DATA_KEYS.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TNE_DATA_KEYS contient une clé invalide (attendu : une clé Fernet, 32 octets en "
            "base64 URL)."
        ) from exc


def _box() -> MultiFernet:
    return _fernet(tuple(settings.DATA_KEYS))


def seal(value: dict | str) -> str:
    """The token of a string or of a JSON-able dict (the empty string stays empty)."""
    if value == "" or value == {}:
        return ""
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _box().encrypt(raw.encode()).decode()


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unreadable("Donnée chiffrée illisible avec les clés configurées.") from None


def unseal_dict(token: str) -> dict:
    return json.loads(unseal(token)) if token else {}


def reseal(token: str) -> str:
    """The same value sealed under the first key (for a key rotation)."""
    return _box().rotate(token.encode()).decode() if token else ""
