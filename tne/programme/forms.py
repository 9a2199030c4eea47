"""Forms of the programme pages: the filters of the list, a target, an envelope. The node of a
target or an envelope is chosen among the nodes the user has authority on."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.widgets import EurosField
from tne.territory.fields import NodeChoiceField
from tne.territory.models import TerritoryNode

from .enums import Unit
from .fields import EnvelopeChoiceField
from .models import Envelope, Measure, Period
from .selectors import editable_envelope_nodes, editable_target_nodes, filter_nodes


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
