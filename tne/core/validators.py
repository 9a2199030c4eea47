"""Validators of form fields shared by every app."""

from django.core.exceptions import ValidationError

from .cells import control_character_message


def single_line_text(value: str) -> None:
    """A single-line text holds no C0 control character (tabulation and line breaks included)
    nor DEL: the rule of the importers (:mod:`.cells`), for what people type in a form. Django's
    ``CharField`` refuses NUL only."""
    message = control_character_message(value)
    if message is not None:
        raise ValidationError(message[0].upper() + message[1:], code="control_character")
