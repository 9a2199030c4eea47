"""Form widgets any domain's forms use (a module named so that importing it is not importing
another app's ``forms``)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


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
