"""Recipients: an e-mail address or a phone number, checked and normalised before a message is
recorded, and masked for the lists.

Phones: a French number as people write it (« 06 12 34 56 78 », « 06.12.34.56.78 »,
« +33 (0)6 12 34 56 78 », « 0033 6… ») or an international one in E.164 (« +44 7911 123456 »),
normalised to E.164 (``+33612345678``). The overseas départements share the French ten-digit plan
but not its country code: « 06 92 12 34 56 » is Réunion's ``+262692123456``. An SMS needs a
mobile: a French landline (01 to 05, 09) is refused for it."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from ..models import Channel

MASK = "•"

# Ten-digit national prefixes of the overseas départements → their country code (ARCEP plan):
# mobiles (06 9x, 06 39) and landlines (05 90…, 02 62…).
OVERSEAS = {
    "0690": "590",  # Guadeloupe, Saint-Martin, Saint-Barthélemy (mobiles)
    "0691": "590",
    "0590": "590",
    "0694": "594",  # Guyane
    "0594": "594",
    "0696": "596",  # Martinique
    "0697": "596",
    "0596": "596",
    "0692": "262",  # La Réunion
    "0693": "262",
    "0262": "262",
    "0263": "262",
    "0639": "262",  # Mayotte
    "0269": "262",
}
# The country codes that write their numbers in the French ten-digit plan.
FRENCH_PLAN = {"33", "590", "594", "596", "262"}

PHONE_HINT = (
    "attendu un numéro français (06 12 34 56 78) ou international au format E.164 "
    "(+33 6 12 34 56 78)"
)
_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")
_email = EmailValidator(message="Adresse électronique invalide (attendu\u00a0: nom@domaine.fr).")


def normalise_email(value: str) -> str:
    """The address, stripped, its domain in lower case; a French error when it is not one."""
    address = (value or "").strip()
    if not address:
        raise ValidationError("Adresse électronique manquante.", code="missing")
    _email(address)
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # « ٠٦… » is digits to str.isdigit


def _digits(value: str) -> str:
    text = (value or "").strip()
    text = text.replace("(0)", "")  # « +33 (0)6 12… »: the trunk zero some write after +33
    if text.startswith("00"):
        text = "+" + text[2:]
    return _SEPARATORS.sub("", text)


def national_form(e164: str) -> str | None:
    """« 0612345678 » for a number of the French plan (metropolitan or overseas), else None."""
    for code in sorted(FRENCH_PLAN, key=len, reverse=True):
        if e164.startswith("+" + code):
            rest = e164[1 + len(code) :]
            national = "0" + rest
            if code == "33":
                return national if len(rest) == 9 else None
            # +262 692 12 34 56 → 0692 12 34 56: the overseas prefix keeps its digits.
            return national if len(national) == 10 and OVERSEAS.get(national[:4]) == code else None
    return None


def normalise_phone(value: str, *, mobile: bool = False) -> str:
    """The number in E.164 (``+33612345678``). ``mobile``: only a number an SMS reaches (a
    French landline is refused; a foreign number cannot be told and is taken)."""
    text = _digits(value)
    if not text:
        raise ValidationError("Numéro de téléphone manquant.", code="missing")
    if text.startswith("+"):
        digits = text[1:]
        if not _ascii_digits(digits) or not 8 <= len(digits) <= 15 or digits[0] == "0":
            raise ValidationError(
                f"Numéro de téléphone invalide\u00a0: {PHONE_HINT}.", code="invalid"
            )
        if digits.startswith("330") and len(digits) == 12:  # « +33 06 12 34 56 78 »
            digits = "33" + digits[3:]
        e164 = "+" + digits
        if digits.startswith("33") and national_form(e164) is None:
            raise ValidationError(
                "Numéro français invalide\u00a0: après +33, neuf chiffres sont attendus "
                "(+33 6 12 34 56 78).",
                code="invalid",
            )
    elif _ascii_digits(text) and len(text) == 10 and text[0] == "0" and text[1] != "0":
        e164 = f"+{OVERSEAS.get(text[:4], '33')}{text[1:]}"
    else:
        raise ValidationError(f"Numéro de téléphone invalide\u00a0: {PHONE_HINT}.", code="invalid")
    if mobile and not is_mobile(e164):
        raise ValidationError(
            "Ce numéro est un fixe\u00a0: un SMS ne peut être envoyé qu'à un portable "
            "(06 ou 07, ou le portable d'un département d'outre-mer).",
            code="landline",
        )
    return e164


def is_mobile(e164: str) -> bool:
    """Whether an SMS reaches this E.164 number: a French mobile (06, 07, the overseas
    mobiles); a number outside the French plan cannot be told and counts as one."""
    national = national_form(e164)
    if national is None:
        return not any(e164.startswith("+" + code) for code in FRENCH_PLAN)
    if national[:4] in OVERSEAS:
        return national[:3] == "069" or national[:4] == "0639"
    return national[:2] in ("06", "07")


def normalise_recipient(channel: str, value: str) -> str:
    """``value`` checked and normalised for ``channel``: an e-mail address for EMAIL, a mobile
    number in E.164 for SMS. Raises ``ValidationError`` with a French message."""
    if channel == Channel.EMAIL:
        return normalise_email(value)
    if channel == Channel.SMS:
        return normalise_phone(value, mobile=True)
    raise ValidationError(
        f"Canal inconnu\u00a0: {channel!r} (attendu EMAIL ou SMS).", code="channel"
    )


def mask(channel: str, recipient: str) -> str:
    """What lists show of a normalised recipient: « a•••@exemple.fr », « 06 •• •• •• 78 »,
    « +44 ••• ••• 56 »."""
    if channel == Channel.EMAIL:
        local, _, domain = recipient.rpartition("@")
        return f"{local[:1]}{MASK * 3}@{domain}"[:255]
    national = national_form(recipient)
    dots = MASK * 2
    if national is not None:
        return f"{national[:2]} {dots} {dots} {dots} {national[-2:]}"
    return f"{recipient[:3]} {MASK * 3} {MASK * 3} {recipient[-2:]}"
