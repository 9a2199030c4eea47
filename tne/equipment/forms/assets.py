"""Forms of the asset register: the filters of the list, a device entered by hand, a move, an
incident and what follows it, the label sheet."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from dsfr.forms import DsfrBaseForm

from tne.core.validators import single_line_text
from tne.core.widgets import OneLoopSelect
from tne.territory.models import SchoolClass, TerritoryNode

from ..enums import AssetState, IncidentKind
from ..labels import LAYOUTS
from ..models import Asset, Category, DeviceModel
from ..services.assets import SWAPPED_OUT, normalise_code

SEARCH_MAX = 80


class ModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.maker} {obj.name} ({obj.reference})"


class AssetFilterForm(DsfrBaseForm):
    """The GET filters of the list. ``ecole``: a school's id (a link from its page) or its UAI
    typed; ``q``: the beginning of a serial number or asset tag, whatever the case."""

    q = forms.CharField(
        label="Numéro de série ou d'inventaire",
        help_text="Le début du numéro suffit, en majuscules ou minuscules.",
        required=False,
        max_length=SEARCH_MAX,
        validators=[single_line_text],
    )
    # The selects written in one loop (OneLoopSelect): Django's template per <option> cost a
    # quarter of the list page at national scale.
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), *AssetState.choices],
        widget=OneLoopSelect,
    )
    ecole = forms.CharField(
        label="École (UAI)", help_text="Par exemple 0021234A.", required=False, max_length=12
    )
    categorie = forms.ModelChoiceField(
        label="Catégorie",
        required=False,
        queryset=Category.objects.all(),
        empty_label="Toutes",
        widget=OneLoopSelect,
    )
    modele = ModelChoice(
        label="Modèle",
        required=False,
        queryset=DeviceModel.objects.order_by("maker", "name", "pk"),
        empty_label="Tous",
        widget=OneLoopSelect,
    )

    def clean_ecole(self):
        value = self.cleaned_data["ecole"].strip().upper()
        if value and not (value.isdigit() or (len(value) == 8 and value[:7].isalnum())):
            raise ValidationError("Saisissez l'UAI de l'école, 7 chiffres et une lettre.")
        return value

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def filter_assets(rows, filters: dict):
    """``rows`` narrowed by the filters of :class:`AssetFilterForm` (each an indexed lookup)."""
    if state := filters.get("etat"):
        rows = rows.filter(state=state)
    if school := filters.get("ecole"):
        rows = (
            rows.filter(school_id=int(school))
            if school.isdigit()
            else rows.filter(school__uai=school)
        )
    if category := filters.get("categorie"):
        rows = rows.filter(model__category=category)
    if model := filters.get("modele"):
        rows = rows.filter(model=model)
    if q := filters.get("q"):
        rows = rows.filter(Q(asset_tag__istartswith=q) | Q(serial_number__istartswith=q))
    return rows


class AssetCreateForm(DsfrBaseForm):
    serial_number = forms.CharField(
        label="Numéro de série", max_length=80, validators=[single_line_text]
    )
    asset_tag = forms.CharField(
        label="Numéro d'inventaire",
        help_text="Celui de l'étiquette.",
        max_length=40,
        validators=[single_line_text],
    )
    model = ModelChoice(
        label="Modèle",
        queryset=DeviceModel.objects.filter(is_active=True).order_by("maker", "name"),
    )
    school = forms.CharField(
        label="École (UAI)",
        required=False,
        max_length=8,
        help_text="Laissez vide pour un matériel en stock.",
    )
    stock_node = forms.ModelChoiceField(
        label="Stock du territoire",
        required=False,
        queryset=TerritoryNode.objects.none(),
        empty_label="—",
    )
    state = forms.ChoiceField(
        label="État",
        choices=[
            (s, AssetState(s).label)
            for s in (AssetState.IN_STOCK, AssetState.ALLOCATED, AssetState.INSTALLED)
        ],
    )
    warranty_ends_on = forms.DateField(
        label="Fin de garantie",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=255, validators=[single_line_text]
    )

    def __init__(self, data=None, *, nodes, schools):
        super().__init__(data)
        self.fields["stock_node"].queryset = nodes
        self.schools = schools

    def clean_serial_number(self):
        return normalise_code(self.cleaned_data["serial_number"])

    def clean_asset_tag(self):
        return normalise_code(self.cleaned_data["asset_tag"])

    def clean_school(self):
        uai = self.cleaned_data["school"].strip().upper()
        if not uai:
            return None
        school = self.schools.filter(uai=uai).first()
        if school is None:
            raise ValidationError(f"Aucune école de votre périmètre n'a l'UAI {uai}.")
        return school

    def clean(self):
        data = super().clean()
        if not data.get("school") and not data.get("stock_node"):
            raise ValidationError("Indiquez l'école du matériel, ou le stock qui le garde.")
        return data


class MoveForm(DsfrBaseForm):
    school = forms.CharField(
        label="École (UAI)", required=False, max_length=8, help_text="Vide : retour au stock."
    )
    school_class = forms.ModelChoiceField(
        label="Classe", required=False, queryset=SchoolClass.objects.none(), empty_label="—"
    )
    stock_node = forms.ModelChoiceField(
        label="Stock du territoire",
        required=False,
        queryset=TerritoryNode.objects.none(),
        empty_label="—",
    )
    note = forms.CharField(
        label="Note", required=False, max_length=255, validators=[single_line_text]
    )

    def __init__(self, data=None, *, asset: Asset, nodes, schools, initial=None):
        super().__init__(data, initial=initial)
        self.schools = schools
        self.fields["stock_node"].queryset = nodes
        classes = SchoolClass.objects.filter(school__in=schools).select_related("school")
        if asset.school_id:
            classes = classes.filter(school_id=asset.school_id)
        self.fields["school_class"].queryset = classes

    def clean_school(self):
        uai = self.cleaned_data["school"].strip().upper()
        if not uai:
            return None
        school = self.schools.filter(uai=uai).first()
        if school is None:
            raise ValidationError(f"Aucune école de votre périmètre n'a l'UAI {uai}.")
        return school

    def clean(self):
        data = super().clean()
        if bool(data.get("school")) == bool(data.get("stock_node")):
            raise ValidationError("Indiquez soit une école, soit le stock d'un territoire.")
        klass = data.get("school_class")
        if klass is not None and (not data.get("school") or klass.school_id != data["school"].pk):
            self.add_error("school_class", "Cette classe n'est pas une classe de cette école.")
        return data


class IncidentForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Nature", choices=IncidentKind.choices)
    description = forms.CharField(
        label="Ce qui s'est passé", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SwapForm(DsfrBaseForm):
    replacement = forms.CharField(
        label="Numéro d'inventaire du matériel de remplacement",
        help_text="Un matériel en stock.",
        max_length=40,
    )
    old_state = forms.ChoiceField(
        label="L'ancien matériel",
        choices=[(s, AssetState(s).label) for s in AssetState.values if s in SWAPPED_OUT],
    )
    note = forms.CharField(
        label="Note", required=False, max_length=255, validators=[single_line_text]
    )

    def clean_replacement(self):
        return normalise_code(self.cleaned_data["replacement"])


class ResolutionForm(DsfrBaseForm):
    resolution = forms.CharField(
        label="Suite donnée", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(DsfrBaseForm):
    note = forms.CharField(
        label="Note", required=False, max_length=255, validators=[single_line_text]
    )


class LabelForm(DsfrBaseForm):
    layout = forms.ChoiceField(
        label="Planche d'étiquettes",
        choices=[(code, layout.label) for code, layout in LAYOUTS.items()],
    )


__all__ = [
    "AssetCreateForm",
    "AssetFilterForm",
    "IncidentForm",
    "LabelForm",
    "MoveForm",
    "NoteForm",
    "ResolutionForm",
    "SwapForm",
    "filter_assets",
]
