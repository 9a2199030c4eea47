"""Forms of the programme pages: the filters of the list, a target, an envelope. The node of a
target or an envelope is chosen among the nodes the user has authority on."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from tne.core.formats import AmountError, parse_euros
from tne.core.formats import euros as format_euros
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

from .enums import Unit
from .models import Envelope, Measure, Period
from .selectors import editable_envelope_nodes, editable_target_nodes, filter_nodes


def node_label(node: TerritoryNode) -> str:
    return f"{NodeKind(node.kind).label} — {node}"


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return node_label(obj)


class EnvelopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        period = f" — {obj.period}" if obj.period_id else ""
        return f"{obj.measure.code} — {obj.node}{period} ({format_euros(obj.amount)})"


class EurosField(forms.Field):
    """An amount in euros as people type it: « 9 000 000,00 », « 9000000.5 », « 1 234,50 € »."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_euros(value).removesuffix("\u00a0€")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if len(str(value)) > 30:
            raise ValidationError("Ce montant est trop long.", code="invalid")
        try:
            amount = parse_euros(value)
        except AmountError as exc:
            raise ValidationError(
                "Saisissez un montant en euros, par exemple « 9 000 000 » ou « 1 234,50 ».",
                code="invalid",
            ) from exc
        if amount.as_tuple().exponent < -2:  # pragma: no cover - parse_euros refuses it
            raise ValidationError("Au plus deux décimales (les centimes).")
        return amount


class ProgrammeFilterForm(DsfrBaseForm):
    measure = forms.ModelChoiceField(
        label="Mesure", required=False, queryset=Measure.objects.all(), empty_label="Toutes"
    )
    node = NodeChoiceField(
        label="Territoire",
        required=False,
        queryset=TerritoryNode.objects.none(),
        empty_label="Tous",
    )
    period = forms.ModelChoiceField(
        label="Période", required=False, queryset=Period.objects.all(), empty_label="Toutes"
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["node"].queryset = filter_nodes(user)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"measure": None, "node": None, "period": None}
        return {name: self.cleaned_data.get(name) for name in ("measure", "node", "period")}


class TargetForm(DsfrBaseForm):
    measure = forms.ModelChoiceField(label="Mesure", queryset=Measure.objects.all())
    node = NodeChoiceField(label="Territoire", queryset=TerritoryNode.objects.none())
    period = forms.ModelChoiceField(label="Période", queryset=Period.objects.all())
    count = forms.IntegerField(label="Objectif", min_value=1, max_value=2_000_000_000)
    unit = forms.ChoiceField(label="Unité", choices=Unit.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=255,
        help_text="Facultatif : la source du chiffre, ou « hypothèse de démonstration ».",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = editable_target_nodes(user)


class EnvelopeForm(DsfrBaseForm):
    measure = forms.ModelChoiceField(label="Mesure", queryset=Measure.objects.all())
    node = NodeChoiceField(label="Territoire", queryset=TerritoryNode.objects.none())
    period = forms.ModelChoiceField(
        label="Période",
        required=False,
        queryset=Period.objects.all(),
        empty_label="Toute la durée du programme",
    )
    amount = EurosField(label="Montant (€)", help_text="Par exemple « 9 000 000 » ou « 1 234,50 ».")
    parent = EnvelopeChoiceField(
        label="Part de l'enveloppe",
        required=False,
        queryset=Envelope.objects.none(),
        empty_label="Aucune (enveloppe d'origine)",
        help_text="Si cette enveloppe est une part de celle d'un territoire au-dessus.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=255,
        help_text="Facultatif : la source du montant, ou « hypothèse de démonstration ».",
    )

    def __init__(self, *args, user, instance: Envelope | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = editable_envelope_nodes(user)
        parents = Envelope.objects.visible_to(user).select_related("measure", "node", "period")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents.order_by("measure__order", "node__path", "pk")

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        # A part is of the period of the envelope it splits: chosen for the user when left empty.
        if parent is not None and parent.period_id and cleaned.get("period") is None:
            cleaned["period"] = parent.period
        return cleaned


def add_model_errors(form: forms.Form, error: ValidationError) -> None:
    """A model's ValidationError shown on the form fields it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
