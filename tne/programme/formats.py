"""Euros the French way, both ways: « 9 000 000 € », « 1 234,50 € » shown, and the amounts
people type (« 9 000 000,00 », « 9000000.5 », « 9.000.000 € ») read into an exact Decimal."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NARROW_NBSP = "\u202f"  # Between the groups of thousands.
NBSP = "\u00a0"  # Before the euro sign.
CENT = Decimal("0.01")


def format_euros(amount: Decimal | int | None) -> str:
    """« 9 000 000 € » for whole euros, « 1 234,50 € » otherwise; "" for None."""
    if amount is None:
        return ""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    text = NARROW_NBSP.join(groups)
    if cents != "00":
        text += "," + cents
    return f"{sign}{text}{NBSP}€"


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


class AmountError(ValueError):
    pass


def parse_euros(text: str) -> Decimal:
    """The amount typed in ``text``, exact to the cent. Spaces (any kind) and apostrophes
    group thousands; a comma is the decimal separator (then dots group thousands); without a
    comma a single dot followed by one or two digits is the decimal separator, and dots
    followed by three digits group thousands. Raises AmountError for anything else."""
    cleaned = _SPACES.sub("", (text or "").strip().removesuffix("€").strip())
    cleaned = _SPACES.sub("", cleaned)
    if "," in cleaned:
        if cleaned.count(",") > 1:
            raise AmountError(text)
        whole, decimals = cleaned.split(",")
        if "." in whole and not re.fullmatch(r"\d{1,3}(\.\d{3})+", whole):
            raise AmountError(text)
        cleaned = whole.replace(".", "") + "." + decimals
    elif cleaned.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", cleaned):
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
            raise AmountError(text)
        cleaned = cleaned.replace(".", "")
    if not _AMOUNT.match(cleaned):
        raise AmountError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above excludes it
        raise AmountError(text) from exc
