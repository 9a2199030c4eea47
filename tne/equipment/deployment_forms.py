"""Forms of the deployment pages: a campaign, a bulk allocation (by territory, by school, from a
CSV file), a step on a selection, the filters of the lists and of the progress."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from tne.core.scope import scope_of
from tne.programme.models import Measure
from tne.territory.enums import NodeKind, Stage
from tne.territory.fields import NodeChoiceField
from tne.territory.models import TerritoryNode

from .enums import AllocationStatus
from .models import KitTemplate
from .perms import ALLOCATE

ALLOCATION_KINDS = (
    NodeKind.COUNTRY,
    NodeKind.REGION,
    NodeKind.ACADEMIE,
    NodeKind.DEPARTEMENT,
    NodeKind.CIRCONSCRIPTION,
    NodeKind.COMMUNE,
)
UAI = re.compile(r"\b\d{7}[A-Za-z]\b")
MAX_CSV_BYTES = 5 * 1024 * 1024


def allocation_nodes(user, under: TerritoryNode | None = None):
    """The nodes ``user`` allocates on (``equipment.allocate``), under ``under`` if given; for
    national steering the levels down to départements (the communes of France are too many for
    a list: they choose a département's campaign, then its communes)."""
    scope = scope_of(user, ALLOCATE)
    nodes = TerritoryNode.objects.filter(scope.node_q(), kind__in=ALLOCATION_KINDS)
    if under is not None:
        nodes = nodes.filter(path__startswith=under.path)
    elif scope.everything:
        nodes = nodes.filter(depth__lte=3)
    return nodes.order_by("path")


class CampaignForm(DsfrBaseForm):
    name = forms.CharField(label="Nom de la campagne", max_length=200)
    measure = forms.ModelChoiceField(label="Mesure", queryset=Measure.objects.none())
    kit = forms.ModelChoiceField(
        label="Kit", queryset=KitTemplate.objects.filter(is_active=True).select_related("measure")
    )
    node = NodeChoiceField(label="Territoire", queryset=TerritoryNode.objects.none())
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["measure"].queryset = Measure.objects.filter(code__in=("M4", "M5", "M7"))
        self.fields["node"].queryset = allocation_nodes(user)

    def clean(self):
        data = super().clean()
        kit, measure = data.get("kit"), data.get("measure")
        if kit and measure and kit.measure_id != measure.pk:
            self.add_error("kit", f"Ce kit relève de la mesure {kit.measure.code}.")
        return data


class AllocateByNodeForm(DsfrBaseForm):
    node = NodeChoiceField(label="Territoire", queryset=TerritoryNode.objects.none())
    stage = forms.ChoiceField(
        label="Cycle",
        required=False,
        choices=[("", "Tous les cycles"), *Stage.choices],
        help_text="La mesure M4 n'équipe que les classes élémentaires, quel que soit ce choix.",
    )

    def __init__(self, data=None, *, user, campaign):
        super().__init__(data, prefix="by-node")
        self.fields["node"].queryset = allocation_nodes(user, under=campaign.node)


class AllocateBySchoolForm(DsfrBaseForm):
    uais = forms.CharField(
        label="UAI des écoles",
        help_text="Une ou plusieurs UAI, séparées par des espaces, des virgules ou des retours à "
        "la ligne (0021234A).",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, prefix="by-school")

    def clean_uais(self):
        text = self.cleaned_data["uais"]
        found = [u.upper() for u in UAI.findall(text)]
        if not found:
            raise ValidationError("Aucune UAI reconnue (sept chiffres et une lettre).")
        return tuple(dict.fromkeys(found))


class AllocateByFileForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier CSV",
        help_text="En-tête «\u00a0uai;classe\u00a0» (séparateur «\u00a0;\u00a0» ou "
        "«\u00a0,\u00a0»), une classe de l'année en cours par ligne.",
    )

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(data, files, prefix="by-file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError("Le fichier dépasse 5 Mo.")
        return upload


class StepForm(DsfrBaseForm):
    on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


class AllocationFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Étape", required=False, choices=[("", "Toutes"), *AllocationStatus.choices]
    )
    measure = forms.ModelChoiceField(
        label="Mesure", required=False, queryset=Measure.objects.none(), empty_label="Toutes"
    )
    school = forms.CharField(label="École (UAI ou nom)", required=False, max_length=100)
    commune = forms.ModelChoiceField(
        label="Commune", required=False, queryset=TerritoryNode.objects.none(), empty_label="Toutes"
    )

    def __init__(self, data=None, *, communes=None, with_measure=True):
        super().__init__(data)
        self.fields["measure"].queryset = Measure.objects.filter(code__in=("M4", "M5", "M7"))
        if not with_measure:
            del self.fields["measure"]
        if communes is None:
            del self.fields["commune"]
        else:
            self.fields["commune"].queryset = communes

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ProgressForm(DsfrBaseForm):
    """The measure and the detail of the progress page; the node comes from the links of the
    page (``?node=``), checked by the view."""

    measure = forms.ChoiceField(label="Mesure", choices=())
    by = forms.ChoiceField(
        label="Détail d'un département par",
        required=False,
        choices=[
            ("", "commune"),
            (NodeKind.CIRCONSCRIPTION, "circonscription"),
        ],
    )

    def __init__(self, data=None, *, measures):
        super().__init__(data)
        self.fields["measure"].choices = [(m.code, f"{m.code} — {m.title}") for m in measures]
