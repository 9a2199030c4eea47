"""Form widgets any domain's forms use (a module named so that importing it is not importing
another app's ``forms``)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from .formats import AmountError, parse_euros
from .formats import euros as format_euros


class OneLoopSelect(forms.Select):
    """A ``<select>`` written in one loop. Django renders each ``<option>`` through a template
    of its own: for the hundreds of communes of a département, that cost more than the rest of
    the page. Same HTML (attributes, label and help text stay with the field group)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (choice, " selected" if str(choice) in selected else "", label)
                for choice, label in self.choices
            ),
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>\n{}\n</select>', name, final_attrs, options)


class EurosField(forms.Field):
    """An amount in euros as people type it, exact to the cent: « 9 000 000 », « 1 234,50 »,
    « 749.9 € » (:func:`tne.core.formats.parse_euros`); shown back as TNE writes amounts."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    max_length = 30

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_euros(value).removesuffix("\u00a0€")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if len(str(value)) > self.max_length:
            raise ValidationError("Ce montant est trop long.", code="invalid")
        try:
            return parse_euros(str(value))
        except AmountError as exc:
            raise ValidationError(
                "Saisissez un montant en euros, par exemple « 9 000 000 » ou « 1 234,50 ».",
                code="invalid",
            ) from exc


def add_model_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's or a model's ValidationError shown on the form fields it names (the others
    above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
