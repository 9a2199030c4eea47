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
    if type(value) is int:  # the common case, without the Decimal round trip (tables of counts)
        return f"{value:,}".replace(",", THOUSANDS)
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


# French punctuation spacing, as the Imprimerie nationale and the DSFR write it: a narrow
# no-break space (U+202F, « fine insécable ») before « ; ! ? », a no-break space (U+00A0) before
# « : » and inside the guillemets « ». Straight apostrophes (') stay straight: the open data
# (« Val-d'Oise », school names) and every label of the site use them, so a curly one would mix.
NARROW_NBSP = "\u202f"
_SPACES = "[ \u00a0\u202f]"


def fr_typo(text) -> str:
    """``text`` with the French spaces around « ; ! ? : » and inside « »: an ordinary space
    there becomes the right no-break space, and a missing one is added before « ; ! ? » and
    inside the guillemets (« : » without a space is left alone: « 8:30 », « https: »)."""
    if text is None:
        return ""
    text = str(text)
    text = re.sub(rf"{_SPACES}*([;!?])(?=\s|$|[»)<])", rf"{NARROW_NBSP}\1", text)
    text = re.sub(rf"{_SPACES}+:", f"{NBSP}:", text)
    text = re.sub(rf"«{_SPACES}*", f"«{NBSP}", text)
    text = re.sub(rf"{_SPACES}*»", f"{NBSP}»", text)
    return text


# The article of the départements whose name takes one after « de » (« de l'Aisne », « du
# Val-d'Oise », « des Yvelines »); the others take « de » (« de Paris », « de Mayotte »).
# fmt: off
DEPARTEMENT_ARTICLES = {
    "01": "de l'", "02": "de l'", "03": "de l'", "04": "des ", "05": "des ", "06": "des ",
    "07": "de l'", "08": "des ", "09": "de l'", "10": "de l'", "11": "de l'", "12": "de l'",
    "13": "des ", "14": "du ", "15": "du ", "16": "de la ", "17": "de la ", "18": "du ",
    "19": "de la ", "2A": "de la ", "2B": "de la ", "21": "de la ", "22": "des ", "23": "de la ",
    "24": "de la ", "25": "du ", "26": "de la ", "27": "de l'", "28": "d'", "29": "du ",
    "30": "du ", "31": "de la ", "32": "du ", "33": "de la ", "34": "de l'", "35": "d'",
    "36": "de l'", "37": "d'", "38": "de l'", "39": "du ", "40": "des ", "41": "du ",
    "42": "de la ", "43": "de la ", "44": "de la ", "45": "du ", "46": "du ", "47": "du ",
    "48": "de la ", "49": "de ", "50": "de la ", "51": "de la ", "52": "de la ", "53": "de la ",
    "54": "de ", "55": "de la ", "56": "du ", "57": "de la ", "58": "de la ", "59": "du ",
    "60": "de l'", "61": "de l'", "62": "du ", "63": "du ", "64": "des ", "65": "des ",
    "66": "des ", "67": "du ", "68": "du ", "69": "du ", "70": "de la ", "71": "de ",
    "72": "de la ", "73": "de la ", "74": "de la ", "75": "de ", "76": "de la ", "77": "de ",
    "78": "des ", "79": "des ", "80": "de la ", "81": "du ", "82": "du ", "83": "du ",
    "84": "du ", "85": "de la ", "86": "de la ", "87": "de la ", "88": "des ", "89": "de l'",
    "90": "du ", "91": "de l'", "92": "des ", "93": "de la ", "94": "du ", "95": "du ",
    "971": "de la ", "972": "de la ", "973": "de la ", "974": "de La ", "976": "de ",
}
# fmt: on
# Before these letters « de » elides (« d'Amiens », « de l'école » is the school's name
# starting with a vowel: « d'ECOLE PRIMAIRE… » is what the elision gives for a proper name).
_VOWELS = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸaeiouyàâäéèêëîïôöùûüÿ"
# Words starting with a mute h take the elision too (« d'Hirson »); an aspirated h does not.
_MUTE_H = ("hirson", "hôpital", "hautmont", "hénin")


def de(name, departement_code: str = "") -> str:
    """« de » before ``name``, elided before a vowel or a mute h: « d'ECOLE DES REMPARTS »,
    « de Laon »; with ``departement_code``, the département's own article (« de l'Aisne », « du
    Val-d'Oise ») from :data:`DEPARTEMENT_ARTICLES`."""
    name = "" if name is None else str(name).strip()
    if departement_code:
        article = DEPARTEMENT_ARTICLES.get(str(departement_code).upper().lstrip("0").zfill(2))
        if article:
            return f"{article}{name}"
    if name[:1] and (name[0] in _VOWELS or name.lower().startswith(_MUTE_H)):
        return f"d'{name}"
    return f"de {name}"


def file_size(size) -> str:
    """« 50 Mo », « 1,5 Go », « 800 ko »: a size in bytes in the French units (octets, ko, Mo,
    Go, powers of 1 024 as the file managers show them), one decimal at most."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    for unit, power in (("Go", 3), ("Mo", 2), ("ko", 1)):
        if size >= 1024**power:
            value = Decimal(size) / Decimal(1024**power)
            value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
            return f"{fr_decimal(value)}{NBSP}{unit}"
    return plural(size, "octet|octets")
