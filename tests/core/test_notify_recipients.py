"""Recipients of notifications: e-mail addresses and phone numbers checked, normalised (E.164)
and masked for the lists, with French errors."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tne.core.models import Channel
from tne.core.notify import is_mobile, mask, normalise_email, normalise_phone, normalise_recipient


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("0712345678", "+33712345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        (" 06\u00a012\u00a034\u00a056\u00a078 ", "+33612345678"),
        ("01 23 45 67 89", "+33123456789"),
        # The overseas départements: the French ten-digit plan, their own country codes.
        ("06 92 12 34 56", "+262692123456"),
        ("0639 12 34 56", "+262639123456"),
        ("06 90 12 34 56", "+590690123456"),
        ("0696 12 34 56", "+596696123456"),
        ("0694 12 34 56", "+594694123456"),
        ("+262 692 12 34 56", "+262692123456"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_a_phone_number_is_normalised_to_e164(written, e164):
    assert normalise_phone(written) == e164


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", "manquant"),
        ("   ", "manquant"),
        ("06 12 34 56", "Numéro de téléphone invalide"),
        ("06 12 34 56 78 9", "Numéro de téléphone invalide"),
        ("6 12 34 56 78", "Numéro de téléphone invalide"),
        ("00 00 00 00 00", "Numéro de téléphone invalide"),
        ("06 12 AB 56 78", "Numéro de téléphone invalide"),
        ("+33 6 12 34 56", "après +33, neuf chiffres"),
        ("+0 612345678", "Numéro de téléphone invalide"),
        ("+1234567", "Numéro de téléphone invalide"),
        ("+1234567890123456", "Numéro de téléphone invalide"),
        ("06 12 34 56 78; rm", "Numéro de téléphone invalide"),
        ("0\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "Numéro de téléphone invalide"),
    ],
)
def test_a_wrong_phone_number_is_refused_in_french(written, expected):
    with pytest.raises(ValidationError) as error:
        normalise_phone(written)

    assert expected in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "landline", ["01 23 45 67 89", "09 12 34 56 78", "05 90 12 34 56", "+33 2 12 34 56 78"]
)
def test_an_sms_needs_a_mobile(landline):
    assert normalise_phone(landline)  # a valid number…

    with pytest.raises(ValidationError, match="un SMS ne peut être envoyé qu'à un portable"):
        normalise_recipient(Channel.SMS, landline)  # …that an SMS does not reach


def test_mobiles_are_told_from_landlines():
    assert is_mobile("+33612345678") and is_mobile("+33712345678")
    assert is_mobile("+262692123456") and is_mobile("+262639123456")
    assert is_mobile("+447911123456")  # abroad: cannot be told, taken
    assert not is_mobile("+33123456789") and not is_mobile("+590590123456")


def test_an_email_address_is_checked_and_its_domain_lowered():
    assert normalise_email("  Alice.Martin@Exemple.FR ") == "Alice.Martin@exemple.fr"
    for wrong in ("alice", "alice@", "@exemple.fr", "alice@exemple", "a b@exemple.fr"):
        with pytest.raises(ValidationError, match="Adresse électronique invalide"):
            normalise_email(wrong)
    with pytest.raises(ValidationError, match="Adresse électronique manquante"):
        normalise_email("")


def test_the_channel_decides_what_a_recipient_is():
    assert normalise_recipient(Channel.EMAIL, "a@exemple.fr") == "a@exemple.fr"
    with pytest.raises(ValidationError, match="Adresse électronique invalide"):
        normalise_recipient(Channel.EMAIL, "06 12 34 56 78")
    with pytest.raises(ValidationError, match="Numéro de téléphone invalide"):
        normalise_recipient(Channel.SMS, "a@exemple.fr")
    with pytest.raises(ValidationError, match="Canal inconnu"):
        normalise_recipient("FAX", "a@exemple.fr")


@pytest.mark.parametrize(
    ("channel", "recipient", "masked"),
    [
        (Channel.EMAIL, "alice@exemple.fr", "a•••@exemple.fr"),
        (Channel.EMAIL, "a@exemple.fr", "a•••@exemple.fr"),
        (Channel.SMS, "+33612345678", "06 •• •• •• 78"),
        (Channel.SMS, "+262692123456", "06 •• •• •• 56"),
        (Channel.SMS, "+447911123456", "+44 ••• ••• 56"),
    ],
)
def test_lists_show_a_masked_recipient(channel, recipient, masked):
    assert mask(channel, recipient) == masked


@given(st.from_regex(r"0[67][0-9]{8}", fullmatch=True), st.sampled_from([" ", ".", "-", ""]))
def test_any_french_mobile_comes_back_in_e164_whatever_its_separators(digits, separator):
    written = separator.join(digits[i : i + 2] for i in range(0, 10, 2))
    e164 = normalise_recipient(Channel.SMS, written)
    assert e164.startswith("+") and e164[1:].isdigit()
    masked = mask(Channel.SMS, e164)
    assert masked.startswith(digits[:2]) and masked.endswith(digits[-2:])
    assert digits[2:8] not in masked.replace(" ", "")


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_french_error(text):
    try:
        e164 = normalise_phone(text)
    except ValidationError as error:
        assert error.messages and all(m[0].isupper() for m in error.messages)
    else:
        digits = e164[1:]
        assert e164[0] == "+" and digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 15
