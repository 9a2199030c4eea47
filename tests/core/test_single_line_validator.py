"""Forms refuse the control characters the importers refuse, on every single-line text that
is stored: API token names, the names typed on the « Accès » grant form."""

import pytest
from django.core.exceptions import ValidationError

from tne.accounts.forms import ApiTokenForm
from tne.accounts.forms_access import AccessGrantForm
from tne.core.validators import single_line_text

FIELDS = [
    (ApiTokenForm, "name"),
    (AccessGrantForm, "first_name"),
    (AccessGrantForm, "last_name"),
]


@pytest.mark.parametrize(("form", "name"), FIELDS)
@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x7f", "\n"])
def test_a_stored_form_text_refuses_a_control_character_inside(form, name, char):
    with pytest.raises(ValidationError) as caught:
        form.base_fields[name].clean(f"Ma{char}rie")

    assert caught.value.messages[0].startswith(
        f"Caractère de contrôle interdit (U+{ord(char):04X}) à la position 3"
    )


@pytest.mark.parametrize(("form", "name"), FIELDS)
def test_a_stored_form_text_keeps_accents_and_strips_surrounding_spaces(form, name):
    assert form.base_fields[name].clean("  Éloïse d'Arc-Œuvre  ") == "Éloïse d'Arc-Œuvre"


def test_the_validator_accepts_any_printable_text():
    single_line_text("« Tableau de suivi » n° 2 — 100 %")
