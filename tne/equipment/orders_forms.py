"""Forms of the order and ledger pages. The envelopes offered are those the user may order on."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.scope import scope_of
from tne.core.widgets import EurosField
from tne.programme.fields import EnvelopeChoiceField
from tne.programme.models import Envelope, Measure
from tne.territory.fields import NodeChoiceField
from tne.territory.models import TerritoryNode

from .enums import OrderStatus
from .models import DeviceModel, Supplier
from .perms import ORDER, VIEW_PROGRESS

EQUIPMENT_MEASURES = ("M4", "M5", "M7")


def equipment_measures():
    return Measure.objects.filter(code__in=EQUIPMENT_MEASURES).order_by("order")


def orderable_envelopes(user):
    """The envelopes of the equipment measures on which ``user`` may order."""
    return (
        Envelope.objects.filter(
            scope_of(user, ORDER).node_q("node__"), measure__code__in=EQUIPMENT_MEASURES
        )
        .select_related("measure", "node", "period")
        .order_by("measure__order", "node__path", "pk")
    )


class OrderFilterForm(DsfrBaseForm):
    measure = forms.ModelChoiceField(
        label="Mesure", required=False, queryset=Measure.objects.none(), empty_label="Toutes"
    )
    status = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous"), *OrderStatus.choices]
    )
    q = forms.CharField(
        label="Numéro de commande ou fournisseur", required=False, max_length=80, strip=True
    )

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["measure"].queryset = equipment_measures()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class OrderForm(DsfrBaseForm):
    number = forms.CharField(label="Numéro de commande", max_length=40)
    supplier = forms.ModelChoiceField(label="Fournisseur", queryset=Supplier.objects.all())
    envelope = EnvelopeChoiceField(
        label="Enveloppe imputée",
        queryset=Envelope.objects.none(),
        help_text="L'enveloppe d'une mesure d'équipement d'un territoire où vous commandez.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = orderable_envelopes(user)


class ModelChoiceLabelled(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.category} — {obj.maker} {obj.name} ({obj.reference})"


class OrderLineForm(DsfrBaseForm):
    model = ModelChoiceLabelled(
        label="Modèle",
        queryset=DeviceModel.objects.active().select_related("category"),
    )
    quantity = forms.IntegerField(label="Quantité", min_value=1, max_value=1_000_000)
    unit_price = EurosField(
        label="Prix unitaire TTC (€)",
        required=False,
        help_text="Facultatif\u00a0: par défaut, le prix du modèle au catalogue.",
    )


class CommitForm(DsfrBaseForm):
    override_reason = forms.CharField(
        label="Motif de la dérogation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seulement si la commande dépasse ce qui reste sur l'enveloppe\u00a0: le motif, "
        "son auteur et sa date sont conservés.",
    )


class InvoiceForm(DsfrBaseForm):
    number = forms.CharField(label="Numéro de facture", max_length=40)
    issued_on = forms.DateField(
        label="Date de facture",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = EurosField(
        label="Montant TTC (€)", help_text="Par exemple «\u00a012\u202f450,80\u00a0»."
    )


class CampaignOrderForm(DsfrBaseForm):
    number = forms.CharField(label="Numéro de commande", max_length=40)
    supplier = forms.ModelChoiceField(label="Fournisseur", queryset=Supplier.objects.all())
    envelope = EnvelopeChoiceField(label="Enveloppe imputée", queryset=Envelope.objects.none())
    override_reason = CommitForm.base_fields["override_reason"]

    def __init__(self, *args, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = envelopes


class LedgerFilterForm(DsfrBaseForm):
    measure = forms.ModelChoiceField(
        label="Mesure", required=False, queryset=Measure.objects.none(), empty_label=None
    )
    node = NodeChoiceField(
        label="Territoire", required=False, queryset=TerritoryNode.objects.none()
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["measure"].queryset = equipment_measures()
        scope = scope_of(user, VIEW_PROGRESS)
        holders = Envelope.objects.filter(measure__code__in=EQUIPMENT_MEASURES).values("node_id")
        self.fields["node"].queryset = TerritoryNode.objects.filter(
            scope.node_q(), pk__in=holders
        ) | TerritoryNode.objects.filter(path__in=scope.authority_paths)
        if scope.everything:
            self.fields["node"].queryset = TerritoryNode.objects.filter(
                pk__in=holders
            ) | TerritoryNode.objects.filter(parent__isnull=True)
        self.fields["node"].queryset = self.fields["node"].queryset.order_by("path")
