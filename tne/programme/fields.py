"""Form fields about the programme that any app's forms use (a module named so that importing it
is not importing programme's ``forms``)."""

from django import forms

from tne.core.formats import euros as format_euros


class EnvelopeChoiceField(forms.ModelChoiceField):
    """A choice of envelopes: « M5 — Aisne (02) — 2026-2027 (649 000 €) »."""

    def label_from_instance(self, obj):
        period = f" — {obj.period}" if obj.period_id else ""
        return f"{obj.measure.code} — {obj.node}{period} ({format_euros(obj.amount)})"
