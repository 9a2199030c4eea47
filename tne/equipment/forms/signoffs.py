"""The signed forms of the installations: the school head's decision and the authority's
co-signature, used by the pages and, for the same checks, by the API (without the photo and
the drawing there)."""

from django import forms

from tne.core.signing import SignatureForm

UPLOAD_TEMPLATE = "equipment/forms/upload_field.html"


class DecisionForm(SignatureForm):
    """The school head's decision, signed."""

    decision = forms.ChoiceField(
        label="Votre décision",
        choices=[("accept", "Je valide l'installation"), ("refuse", "Je refuse l'installation")],
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(
        label="Remarques ou motif du refus",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facultatives pour une validation, obligatoire pour un refus.",
    )
    photo = forms.FileField(
        label="Photo de l'installation (facultative)",
        required=False,
        help_text="Une image JPEG, PNG ou WebP de 5 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    # The DSFR upload component (django-dsfr has no template for a file field).
    photo.template_name = UPLOAD_TEMPLATE

    field_order = ["decision", "remarks", "photo", "typed_name", "consent", "drawing"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("remarks") or "").strip():
            self.add_error("remarks", "Dites pourquoi vous refusez l'installation.")
        return data


class CosignForm(SignatureForm):
    remarks = forms.CharField(
        label="Remarques de la collectivité (facultatives)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["remarks", "typed_name", "consent", "drawing"]
