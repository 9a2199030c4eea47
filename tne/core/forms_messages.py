"""The filters of « Messages envoyés » (GET): channel, status, kind, period."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from .models import Channel, MessageStatus
from .notify.kinds import kind_choices
from .widgets import OneLoopSelect

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "required": False}


class MessageFilterForm(DsfrBaseForm):
    canal = forms.ChoiceField(
        label="Canal",
        required=False,
        choices=[("", "Tous"), *Channel.choices],
        widget=OneLoopSelect,
    )
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), *MessageStatus.choices],
        widget=OneLoopSelect,
    )
    type = forms.ChoiceField(label="Type", required=False, choices=(), widget=OneLoopSelect)
    du = forms.DateField(label="Du", help_text="Date de création, incluse.", **_DATE)
    au = forms.DateField(label="Au", help_text="Date de création, incluse.", **_DATE)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["type"].choices = [("", "Tous"), *kind_choices()]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("du"), cleaned.get("au")
        if since and until and since > until:
            raise ValidationError(
                {
                    "au": "La date de fin («\u00a0au\u00a0») doit être le même jour ou après "
                    "la date de début."
                }
            )
        return cleaned

    def filters(self) -> dict:
        """What :func:`tne.core.notify.selectors.filter_messages` reads (the form is valid)."""
        data = self.cleaned_data
        return {
            "channel": data.get("canal"),
            "status": data.get("etat"),
            "kind": data.get("type"),
            "since": data.get("du"),
            "until": data.get("au"),
        }
