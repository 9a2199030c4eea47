"""The form of the school head who links a parent's account to a pupil."""

from django import forms
from dsfr.forms import DsfrBaseForm


class FamilyLinkForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique du parent",
        max_length=254,
        help_text=(
            "Le parent reçoit à cette adresse un lien pour choisir son mot de passe, s'il n'a pas "
            "encore de compte. Il ne verra que le prêt de son enfant."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Saisissez l'adresse électronique du parent.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.",
        },
    )
