"""Schemas every router of the API shares: a closed-list value (code and label), an error."""

from django.db import models
from ninja import Schema


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
