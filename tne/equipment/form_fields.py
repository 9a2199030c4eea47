"""Form fields of the equipment pages: an amount in euros as people type it (« 1 234,50 »), a
node and an envelope named as the programme pages name them, and a service's ValidationError
shown on the form. (The same as the programme's forms: an app does not import another's web
modules.)"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from tne.core.formats import AmountError, parse_euros
from tne.core.formats import euros as format_euros
from tne.territory.enums import NodeKind

AMOUNT_MAX_LENGTH = 30


class EurosField(forms.Field):
    """An amount in euros, exact to the cent: « 9 000 000 », « 1 234,50 », « 749.9 € »."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_euros(value).removesuffix("\u00a0€")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if len(str(value)) > AMOUNT_MAX_LENGTH:
            raise ValidationError("Ce montant est trop long.", code="invalid")
        try:
            return parse_euros(str(value))
        except AmountError as exc:
            raise ValidationError(
                "Saisissez un montant en euros, par exemple «\u00a01\u202f234,50\u00a0».",
                code="invalid",
            ) from exc


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{NodeKind(obj.kind).label} — {obj}"


class EnvelopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        period = f" — {obj.period}" if obj.period_id else ""
        return f"{obj.measure.code} — {obj.node}{period} ({format_euros(obj.amount)})"


def add_model_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form fields it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
