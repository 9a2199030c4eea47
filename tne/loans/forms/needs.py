"""The forms of pupils and needs: the filters of a school's list, one pupil with its
declaration, a row of the bulk entry of a class, the guardian's contact and the file upload.
Values are only parsed here; the rules (unique code, class of the year, the declaration's
coherence) are the services', whose errors come back on the fields."""

from pathlib import Path

from django import forms
from django.conf import settings
from dsfr.forms import DsfrBaseForm

from tne.core.formats import file_size, fr_typo
from tne.core.validators import single_line_text

from ..enums import HomeDevices, HomeInternet
from ..services.contacts import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from ..services.pupils import CODE_MAX_LENGTH, LEVEL_CHOICES, MAX_SHARED_WITH

NOT_DECLARED = ("", "Non déclaré")
INVALID_CHOICE = "Choisissez une valeur de la liste."
DECLARED_CHOICES = [("", "Tous"), ("oui", "Besoin déclaré"), ("non", "Sans déclaration")]


def _choice(label: str, choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
        **kwargs,
    )


class PupilFilterForm(DsfrBaseForm):
    classe = forms.TypedChoiceField(
        label="Classe",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    niveau = _choice("Niveau", [("", "Tous"), *LEVEL_CHOICES])
    declaration = _choice("Déclaration", DECLARED_CHOICES)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classe"].choices = [("", "Toutes"), *((c.pk, c.name) for c in classes)]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        declared = {"oui": True, "non": False}.get(data.get("declaration") or "")
        return {
            "school_class_id": data.get("classe"),
            "level": data.get("niveau") or "",
            "declared": declared,
        }


class NeedFields(forms.Form):
    """The declaration's three fields (none of them required: all three empty is no
    declaration; the service says what is missing)."""

    devices_at_home = _choice("Équipement à la maison", [NOT_DECLARED, *HomeDevices.choices])
    shared_with = forms.IntegerField(
        label="Partagé avec (autres enfants)",
        required=False,
        min_value=1,
        max_value=MAX_SHARED_WITH,
        help_text=fr_typo("Seulement pour un équipement partagé : le nombre d'autres enfants."),
    )
    internet_at_home = _choice("Internet à la maison", [NOT_DECLARED, *HomeInternet.choices])


class PupilForm(NeedFields, DsfrBaseForm):
    """One pupil and its declaration."""

    code = forms.CharField(
        label="Code élève",
        max_length=CODE_MAX_LENGTH,
        required=False,
        validators=[single_line_text],
        help_text=fr_typo(
            "Le code que l'école donne à l'élève, jamais son nom ; unique dans l'école."
        ),
    )
    level = _choice("Niveau", [("", "Choisir un niveau"), *LEVEL_CHOICES])
    school_class = forms.ModelChoiceField(
        label="Classe",
        queryset=None,
        required=False,
        empty_label="Choisir une classe",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    field_order = ["code", "school_class", "level"]

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes


class EntryRowForm(NeedFields, DsfrBaseForm):
    """A row of the bulk entry: an existing pupil (``pupil``) or a new one."""

    pupil = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    code = forms.CharField(
        label="Code élève",
        max_length=CODE_MAX_LENGTH,
        required=False,
        validators=[single_line_text],
    )
    level = _choice("Niveau", [("", "—"), *LEVEL_CHOICES])
    field_order = ["pupil", "code", "level", "devices_at_home", "shared_with", "internet_at_home"]

    # The fields a person types in, in the order of the row (the order of tabulation).
    CELLS = ("code", "level", "devices_at_home", "shared_with", "internet_at_home")

    def is_blank(self) -> bool:
        """A row nobody filled in (no pupil, nothing typed): ignored."""
        data = self.cleaned_data
        return not data.get("pupil") and not any(
            data.get(name) not in (None, "") for name in self.CELLS if name != "level"
        )


EntryFormSet = forms.formset_factory(
    EntryRowForm, extra=0, max_num=200, validate_max=True, absolute_max=200
)


class ContactForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom et prénom du responsable légal",
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Téléphone",
        required=False,
        max_length=30,
        help_text=fr_typo("Un numéro français, « 06 12 34 56 78 » ou « +33 6 12 34 56 78 »."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label="Adresse électronique",
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        help_text=fr_typo("Format attendu : nom@exemple.fr"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )


class UploadForm(DsfrBaseForm):
    SUFFIXES = {".csv", ".txt", ".xlsx"}

    file = forms.FileField(label="Fichier (CSV ou XLSX)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Taille maximale\u00a0: {file_size(settings.TNE_MAX_UPLOAD_BYTES)}. Formats "
            "acceptés\u00a0: .csv (séparé par «\u00a0;\u00a0» ou «\u00a0,\u00a0») ou .xlsx."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in self.SUFFIXES:
            raise forms.ValidationError(
                "Le fichier doit être un fichier CSV (.csv) ou XLSX (.xlsx)."
            )
        return upload
