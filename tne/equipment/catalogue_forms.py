"""Forms of the catalogue and kit pages: the filters of the catalogue, a model (its price as a
French decimal), a kit's line, a category's reference model."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.widgets import EurosField

from .models import Category, DeviceModel


class CatalogueFilterForm(DsfrBaseForm):
    q = forms.CharField(
        label="Fabricant, désignation ou référence", required=False, max_length=80, strip=True
    )
    category = forms.ModelChoiceField(
        label="Catégorie", required=False, queryset=Category.objects.all(), empty_label="Toutes"
    )
    retired = forms.BooleanField(label="Inclure les modèles retirés du catalogue", required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ModelForm(DsfrBaseForm):
    category = forms.ModelChoiceField(label="Catégorie", queryset=Category.objects.all())
    maker = forms.CharField(label="Fabricant", max_length=120)
    name = forms.CharField(label="Désignation", max_length=200)
    reference = forms.CharField(
        label="Référence",
        max_length=80,
        help_text="La référence du modèle telle que l'écrivent les fichiers de livraison.",
    )
    unit_price = EurosField(
        label="Prix unitaire TTC (€)", help_text="Par exemple «\u00a0749,90\u00a0»."
    )
    warranty_months = forms.IntegerField(
        label="Garantie (mois)", min_value=0, max_value=240, initial=24
    )
    is_active = forms.BooleanField(label="Au catalogue", required=False, initial=True)

    def clean_unit_price(self):
        price = self.cleaned_data["unit_price"]
        if price is not None and price < 0:
            raise forms.ValidationError("Le prix ne peut pas être négatif.")
        if price is not None and price >= 10**8:
            raise forms.ValidationError("Ce prix est trop élevé pour un matériel.")
        return price


class ModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.maker} {obj.name} ({obj.reference})"


class KitItemForm(DsfrBaseForm):
    category = forms.ModelChoiceField(label="Catégorie", queryset=Category.objects.all())
    model = ModelChoice(
        label="Modèle",
        required=False,
        queryset=DeviceModel.objects.active(),
        empty_label="Aucun\u00a0: le modèle de référence de la catégorie",
    )
    quantity = forms.IntegerField(label="Quantité", min_value=1, max_value=1000)


class ReferenceModelForm(DsfrBaseForm):
    model = ModelChoice(
        label="Modèle de référence",
        required=False,
        queryset=DeviceModel.objects.none(),
        empty_label="Aucun (les kits qui ne nomment que la catégorie ne sont pas chiffrés)",
    )

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = DeviceModel.objects.active().filter(category=category)
