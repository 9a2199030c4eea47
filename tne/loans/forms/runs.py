"""Forms of the runs' pages: starting a run (a row per département for its cap), the filters of
the decisions, a « what if », confirming an applied run or an offer to the next pupil."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from tne.core.validators import single_line_text
from tne.core.widgets import EurosField
from tne.territory.fields import NodeChoiceField
from tne.territory.models import TerritoryNode
from tne.territory.validators import validate_uai

from ..enums import UnservedReason
from ..selectors import runs as selectors

STOCK_CURRENT, STOCK_CUSTOM, STOCK_NONE = "current", "custom", "none"


class RunForm(DsfrBaseForm):
    node = NodeChoiceField(label="Territoire", queryset=TerritoryNode.objects.none())
    category = forms.ModelChoiceField(
        label="Matériel prêté", queryset=selectors.lendable_categories(), empty_label=None
    )
    label = forms.CharField(
        label="Intitulé",
        required=False,
        max_length=200,
        validators=[single_line_text],
        help_text="Facultatif, par exemple «\u00a0Rentrée 2026, tablettes\u00a0».",
    )
    stock_mode = forms.ChoiceField(
        label="Stock prêtable",
        widget=forms.RadioSelect,
        choices=[
            (STOCK_CURRENT, "Les appareils en stock dans le territoire aujourd'hui"),
            (STOCK_CUSTOM, "Un autre nombre d'appareils"),
            (STOCK_NONE, "Pas de limite de stock (le budget seul)"),
        ],
        initial=STOCK_CURRENT,
    )
    stock = forms.IntegerField(
        label="Nombre d'appareils",
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text="Si vous avez choisi «\u00a0un autre nombre\u00a0».",
    )
    budget = EurosField(
        label="Budget (€ TTC)",
        required=False,
        help_text="Facultatif\u00a0: l'attribution ne sert pas plus d'élèves que ce budget ne paie "
        "d'appareils.",
    )
    unit_cost = EurosField(
        label="Coût unitaire (€ TTC)",
        required=False,
        help_text="Par défaut, le prix du modèle de référence de la catégorie.",
    )

    def __init__(self, data=None, *, user, node: TerritoryNode | None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["node"].queryset = selectors.allocation_nodes(user)
        if node is not None:
            self.fields["node"].initial = node.pk
        self.fields["category"].initial = (
            selectors.lendable_categories().filter(code=selectors.DEFAULT_CATEGORY).first()
        )
        self.departements = list(selectors.departements_of(node)) if node is not None else []
        for departement in self.departements:
            self.fields[f"cap_{departement.code}"] = forms.IntegerField(
                label=f"Plafond d'élèves servis — {departement}",
                required=False,
                min_value=0,
                max_value=10_000_000,
                help_text="Facultatif\u00a0: au plus ce nombre d'élèves de ce département.",
            )

    @property
    def cap_fields(self):
        return [self[f"cap_{d.code}"] for d in self.departements]

    @property
    def main_fields(self):
        return [self[name] for name in ("node", "category", "label")]

    def clean(self):
        data = super().clean()
        mode = data.get("stock_mode")
        if mode == STOCK_CUSTOM and data.get("stock") is None:
            self.add_error("stock", "Indiquez le nombre d'appareils du stock.")
        if mode == STOCK_NONE and data.get("budget") is None:
            self.add_error("budget", "Sans limite de stock, indiquez un budget.")
        return data

    def inputs(self) -> dict:
        """The arguments of ``services.runs.start_run``."""
        data = self.cleaned_data
        mode = data["stock_mode"]
        return {
            "node": data["node"],
            "category": data["category"],
            "label": data["label"],
            "current_stock": mode == STOCK_CURRENT,
            "stock": data["stock"] if mode == STOCK_CUSTOM else None,
            "budget": data["budget"],
            "unit_cost": data["unit_cost"],
            "departement_caps": {
                d.code: data[f"cap_{d.code}"]
                for d in self.departements
                if data.get(f"cap_{d.code}") is not None
            },
        }


class DecisionFilterForm(DsfrBaseForm):
    SERVED = [("", "Tous"), ("oui", "Servis"), ("non", "Non servis")]
    ecole = forms.CharField(
        label="École (UAI)",
        required=False,
        max_length=8,
        help_text="Par exemple 0021234A.",
    )
    servi = forms.ChoiceField(label="Décision", required=False, choices=SERVED)
    motif = forms.ChoiceField(
        label="Motif", required=False, choices=[("", "Tous"), *UnservedReason.choices]
    )

    def clean_ecole(self):
        value = (self.cleaned_data.get("ecole") or "").strip().upper()
        if value:
            try:
                validate_uai(value)
            except ValidationError as error:
                raise ValidationError(
                    "Saisissez l'UAI de l'école\u00a0: 7 chiffres et une lettre, par exemple "
                    "0021234A."
                ) from error
        return value

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"uai": "", "served": None, "reason": ""}
        data = self.cleaned_data
        return {
            "uai": data["ecole"],
            "served": {"oui": True, "non": False}.get(data["servi"]),
            "reason": data["motif"],
        }


class WhatIfForm(DsfrBaseForm):
    stock = forms.IntegerField(
        label="Autre stock (appareils)", required=False, min_value=0, max_value=10_000_000
    )
    budget = EurosField(label="Autre budget (€ TTC)", required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("stock") is None and data.get("budget") is None:
            raise ValidationError("Indiquez un autre stock, un autre budget, ou les deux.")
        return data


class ConfirmForm(DsfrBaseForm):
    confirm = forms.BooleanField(label="Je confirme", required=True)

    def __init__(self, data=None, *, label: str):
        super().__init__(data)
        self.fields["confirm"].label = label
        self["confirm"].label = label  # the bound field is made (and its label read) above
        self.fields["confirm"].error_messages["required"] = "Cochez la case pour confirmer."
