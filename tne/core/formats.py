"""Numbers and words as French writes them, for the pages and the messages alike:
« 1 234 », « 98,2 », « 1 234,50 € », « 1 établissement », « 2 établissements ».

Thousands are grouped with a narrow no-break space (U+202F), the French typographic rule; a
count stays with its word through a no-break space (U+00A0). French counts 0 and 1 in the
singular (« 0 établissement »), from 2 on in the plural. The template filters of
:mod:`tne.core.templatetags.tne_formats` are these functions."""

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
    """« 1 234,50 € »: an amount with two decimals."""
    text = fr_decimal(value, 2)
    return f"{text}{NBSP}€" if text else ""


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
