"""Small typed readers of environment variables that fail loudly on a bad value."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str | None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
        return default
    return value.strip()


def env_str(name: str, default: str | None = None) -> str:
    return _raw(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, "1" if default else "0").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} n'est pas un booléen (attendu : 1/0, true/false, yes/no, on/off)."
    )


def env_int(name: str, default: int) -> int:
    value = _raw(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} n'est pas un entier.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name, ",".join(default))
    return [item.strip() for item in value.split(",") if item.strip()]
