"""Numbers and words as French writes them, for the pages and the messages alike:
« 1 234 », « 98,2 », « 1 234,50 € », « 1 établissement », « 2 établissements ».

Thousands are grouped with a narrow no-break space (U+202F), the French typographic rule; a
count stays with its word through a no-break space (U+00A0). French counts 0 and 1 in the
singular (« 0 établissement »), from 2 on in the plural. The template filters of
:mod:`tne.core.templatetags.tne_formats` are these functions."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

THOUSANDS = "\u202f"
NBSP = "\u00a0"


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return THOUSANDS.join(parts)


def fr_decimal(value, places: int | None = None) -> str:
    """« 1 234,5 »: a number with its thousands grouped and a decimal comma; ``places``
    decimals (rounded half up) if given, else as many as the value has. Not a number: as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign, text = ("-", f"{-number:f}") if number < 0 else ("", f"{number:f}")
    whole, _, decimals = text.partition(".")
    return sign + _group(whole) + ("," + decimals if decimals else "")


def fr_number(value) -> str:
    """« 1 234 »: a whole number with its thousands grouped (a decimal keeps its decimals)."""
    return fr_decimal(value)


def euros(value) -> str:
    """« 9 000 000 € » for whole euros, « 1 234,50 € » otherwise (rounded to the cent)."""
    text = fr_decimal(value, 2)
    if not text:
        return ""
    return f"{text.removesuffix(',00')}{NBSP}€"


class AmountError(ValueError):
    """An amount of euros that cannot be read."""


_AMOUNT_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
_GROUPED_BY_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")


def parse_euros(text: str) -> Decimal:
    """The amount typed in ``text``, exact to the cent: « 9 000 000,00 », « 9000000.5 »,
    « 9.000.000 € ». Spaces (any kind) and apostrophes group thousands; a comma is the decimal
    separator (then dots group thousands); without a comma a single dot followed by one or two
    digits is the decimal separator, and dots followed by three digits group thousands. Raises
    :class:`AmountError` for anything else."""
    cleaned = _AMOUNT_SPACES.sub("", (text or "").strip().removesuffix("€"))
    if "," in cleaned:
        if cleaned.count(",") > 1:
            raise AmountError(text)
        whole, decimals = cleaned.split(",")
        if "." in whole and not _GROUPED_BY_DOTS.fullmatch(whole):
            raise AmountError(text)
        cleaned = whole.replace(".", "") + "." + decimals
    elif cleaned.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", cleaned):
        if not _GROUPED_BY_DOTS.fullmatch(cleaned):
            raise AmountError(text)
        cleaned = cleaned.replace(".", "")
    if not _AMOUNT.match(cleaned):
        raise AmountError(text)
    return Decimal(cleaned)


def plural_word(count, forms: str) -> str:
    """The form of ``forms`` (« singulier|pluriel ») that agrees with ``count``; a single form
    takes an « s » in the plural."""
    singular, _, plural = forms.partition("|")
    if not plural:
        plural = singular + "s"
    try:
        many = abs(Decimal(str(count))) >= 2
    except (InvalidOperation, ValueError):
        many = False
    return plural if many else singular


def plural(count, forms: str) -> str:
    """« 1 établissement », « 1 234 établissements »: the count and the agreeing form."""
    return f"{fr_number(count)}{NBSP}{plural_word(count, forms)}"
