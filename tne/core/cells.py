"""Parsers of single cells of a file, and :class:`Cells`, the cells of one record read through
them. A parser returns a clean value or raises :class:`~tne.core.rowerrors.CellError` with a French
message; empty cells give ``None`` where a value is optional. Numbers are read as people write
them in France or in open data: ``98,2`` or ``98.2``.

Every cell is a single line of text: a C0 control character (U+0000 to U+001F, tabulation and line
breaks included) or DEL (U+007F) anywhere in it is refused with its code and position, whatever
the parser (:func:`refuse_control_characters`, applied by :class:`Cells` and :func:`text`), so no
importer stores a character that an export, an API client or a page cannot carry."""

import re
from decimal import ROUND_HALF_UP, Decimal

from .rowerrors import CellError, ErrorCollector

_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+$")
# C0 controls and DEL: nothing a single-line text field of a file may hold.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")
# The same but tabulation and line breaks: what no cell of a file may hold, even a multi-line
# note (what a spreadsheet cannot store either, see openpyxl's ``ILLEGAL_CHARACTERS_RE``).
BINARY_CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_message(
    value: str, pattern: re.Pattern = CONTROL_CHARACTERS_RE
) -> str | None:
    """The French message naming the first control character of ``value`` and its position
    (counted from 1), or ``None`` when there is none."""
    match = pattern.search(value)
    if match is None:
        return None
    return (
        f"caractère de contrôle interdit (U+{ord(match.group()):04X}) à la position "
        f"{match.start() + 1} : tabulations, retours à la ligne et autres caractères de "
        "contrôle ne sont pas acceptés dans un texte d'une ligne."
    )


def refuse_control_characters(value: str) -> str:
    """``value`` unchanged, or a :class:`CellError` if it holds a C0 control character or DEL."""
    message = control_character_message(value)
    if message is not None:
        raise CellError(message)
    return value


def text(value: str, *, max_length: int = 255) -> str:
    value = refuse_control_characters(value).strip()
    if len(value) > max_length:
        raise CellError(f"texte trop long ({len(value)} caractères, {max_length} au plus).")
    return value


def required_text(value: str, *, max_length: int = 255) -> str:
    value = text(value, max_length=max_length)
    if not value:
        raise CellError("valeur manquante.")
    return value


def parse_decimal(
    value: str,
    *,
    places: int = 1,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    """A decimal written with a point or a comma (``98,2``), rounded to ``places`` decimals."""
    value = value.strip()
    if not value:
        return None
    if not _NUMBER_RE.match(value):
        raise CellError(f"« {value} » n'est pas un nombre.")
    number = Decimal(value.replace(",", ".")).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError(f"{value} est hors de l'intervalle attendu ({minimum} à {maximum}).")
    return number


def parse_int(value: str, *, minimum: int = 0) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not _INT_RE.match(value):
        raise CellError(f"« {value} » n'est pas un nombre entier.")
    number = int(value)
    if number < minimum:
        raise CellError(f"{number} est inférieur au minimum attendu ({minimum}).")
    return number


def parse_float(value: str, *, minimum: float, maximum: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    if not _NUMBER_RE.match(value):
        raise CellError(f"« {value} » n'est pas un nombre.")
    result = float(value.replace(",", "."))
    if not minimum <= result <= maximum:
        raise CellError(f"{value} est hors de l'intervalle attendu ({minimum} à {maximum}).")
    return result


def parse_flag(value: str) -> bool:
    value = value.strip()
    if value not in ("0", "1"):
        raise CellError(f"« {value} » : 0 ou 1 attendu.")
    return value == "1"


class Cells:
    """The cells of one record, each read through a parser; a parser's error is recorded with
    the line and the column, and the record is dropped (``ok`` is then false)."""

    def __init__(self, line: int, row: dict[str, str], diagnostics: ErrorCollector):
        self.line = line
        self.row = row
        self.diagnostics = diagnostics
        self.ok = True

    def __call__(self, column: str, parser=text, **kwargs):
        try:
            # Checked here for every parser, so no column escapes it (not only the texts).
            return parser(refuse_control_characters(self.row[column]), **kwargs)
        except CellError as exc:
            self.error(column, str(exc))
            return None

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.diagnostics.add(self.line, column, message)

    def warn(self, column: str, message: str) -> None:
        self.diagnostics.warn(self.line, column, message)
