"""The forms of the coordinator's rules: the priority weights of a node, the quota of a school,
the search of a territory."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.formats import fr_typo
from tne.core.validators import single_line_text

from ..models import PriorityWeights
from ..services.rules import MAX_POINTS, POINT_FIELDS


def _points(name: str) -> forms.IntegerField:
    label = PriorityWeights._meta.get_field(name).verbose_name
    return forms.IntegerField(
        label=f"{label[:1].upper()}{label[1:]} (points)", min_value=0, max_value=MAX_POINTS
    )


# One field per weight, labelled by the model's verbose names, declared on the class (so that
# DsfrBaseForm styles each of them).
WeightsForm = type(
    "WeightsForm",
    (DsfrBaseForm,),
    {
        "__module__": __name__,
        "__doc__": "The priority weights of a node: points of each criterion, the IPS threshold.",
        **{name: _points(name) for name in POINT_FIELDS},
        "ips_threshold": forms.DecimalField(
            label="Seuil d'IPS",
            min_value=0,
            max_value=200,
            decimal_places=1,
            max_digits=4,
            localize=True,
            help_text=fr_typo("Une école dont l'IPS est sous ce seuil reçoit les points « IPS »."),
        ),
    },
)


class QuotaForm(DsfrBaseForm):
    minimum = forms.IntegerField(
        label="Minimum d'élèves servis",
        min_value=0,
        max_value=100_000,
        help_text=fr_typo("0 : aucun minimum."),
    )
    maximum = forms.IntegerField(
        label="Maximum d'élèves servis",
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=fr_typo("Vide : aucun maximum."),
    )


class NodeSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Chercher un territoire de votre périmètre",
        help_text="Nom d'un département, d'une circonscription ou d'une commune.",
        max_length=100,
        required=False,
        validators=[single_line_text],
    )


class SchoolLookupForm(DsfrBaseForm):
    uai = forms.CharField(
        label="UAI de l'école",
        max_length=8,
        min_length=8,
        validators=[single_line_text],
        help_text=fr_typo("Huit caractères, « 0021234A »."),
    )
