"""Schemas every router of the API shares: a closed-list value (code and label), an error."""

from django.db import models
from ninja import Field, Schema


class ChoiceOut(Schema):
    """Une valeur d'une liste fermée : son code (stable, pour les programmes) et son libellé."""

    code: str
    label: str


def choice(choices: type[models.TextChoices], value: str) -> dict | None:
    """``{"code": …, "label": …}`` for ``value`` of ``choices``; None for an empty value."""
    if not value:
        return None
    return {"code": value, "label": str(choices(value).label)}


class ErrorOut(Schema):
    """Une erreur : son explication."""

    detail: str


class FieldErrorOut(Schema):
    """Une erreur de validation d'un paramètre."""

    loc: list[str | int] = Field(
        description="Place du paramètre : « query » ou « path », puis son nom (« ips_min »)."
    )
    msg: str = Field(description="L'erreur, en français, nommant le paramètre.")
    type: str = Field(description="Type d'erreur, stable pour les programmes (« missing »…).")


class ValidationErrorOut(Schema):
    """Des paramètres invalides : une erreur en français par paramètre."""

    detail: list[FieldErrorOut]
