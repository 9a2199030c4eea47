"""Forms of the territory browser."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.widgets import OneLoopSelect

from .enums import NodeKind, SchoolKind, Sector
from .models import TerritoryNode
from .selectors import SchoolFilters

# What the « Type » filter offers: a group of kinds or one kind.
KIND_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ECOLES": ("Toutes les écoles", tuple(SchoolKind.first_degree())),
    **{kind: (SchoolKind(kind).label, (kind,)) for kind in SchoolKind.first_degree()},
    SchoolKind.COLLEGE: (SchoolKind.COLLEGE.label, (SchoolKind.COLLEGE,)),
    "LYCEES": ("Tous les lycées", tuple(SchoolKind.lycees())),
    **{kind: (SchoolKind(kind).label, (kind,)) for kind in SchoolKind.lycees()},
}

NETWORK_CHOICES = [
    ("", "Tous"),
    ("EP", "REP ou REP+"),
    ("REP", "REP"),
    ("REP_PLUS", "REP+"),
    ("NONE", "Hors éducation prioritaire"),
]


class IpsField(forms.DecimalField):
    """An IPS bound, written the French way (« 85,5 ») or with a point (« 85.5 »): the field is
    localised, a text input with the decimal keypad on phones."""

    def __init__(self, *, label: str):
        super().__init__(
            label=label,
            required=False,
            min_value=0,
            max_value=300,
            decimal_places=1,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )


class SchoolFilterForm(DsfrBaseForm):
    """The filters of the school list. Départements and communes are offered by code, among the
    ones the user may browse only; ``out_of_scope`` tells the view that a code outside the
    user's territory was asked for (the view answers 404)."""

    q = forms.CharField(
        label="Rechercher un établissement (nom ou UAI)",
        required=False,
        max_length=100,
        help_text="Une UAI complète (ex. 0021234A) trouve l'établissement seul.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    departement = forms.ChoiceField(label="Département", required=False, widget=OneLoopSelect)
    commune = forms.ChoiceField(label="Commune", required=False, widget=OneLoopSelect)
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Tous les types")] + [(k, label) for k, (label, _) in KIND_GROUPS.items()],
    )
    sector = forms.ChoiceField(
        label="Secteur", required=False, choices=[("", "Tous"), *Sector.choices]
    )
    network = forms.ChoiceField(
        label="Éducation prioritaire", required=False, choices=NETWORK_CHOICES
    )
    ips_min = IpsField(label="IPS minimum")
    ips_max = IpsField(label="IPS maximum")

    def __init__(self, data, *, user):
        data = data.copy()
        super().__init__(data)
        self.out_of_scope = False
        visible = TerritoryNode.objects.visible_to(user)
        # code → (pk, label): plain tuples, not model instances (hundreds of communes).
        self._departements = {
            code: (pk, f"{name} ({code})")
            for pk, code, name in visible.filter(kind=NodeKind.DEPARTEMENT)
            .order_by("code")
            .values_list("pk", "code", "name")
        }
        self.fields["departement"].choices = [("", "Tous les départements")] + [
            (code, label) for code, (_, label) in self._departements.items()
        ]
        departement = self._departements.get(data.get("departement", ""))
        if data.get("departement") and departement is None:
            self.out_of_scope = True

        communes = visible.filter(kind=NodeKind.COMMUNE).order_by("search_name", "code")
        if departement is not None or len(self._departements) == 1:
            (parent_id, _) = departement or next(iter(self._departements.values()))
            communes = communes.filter(parent_id=parent_id)
        elif self._departements:
            communes = communes.none()  # Too many to list: choose a département first.
        self._communes = {
            code: (pk, name) for pk, code, name in communes.values_list("pk", "code", "name")
        }
        self.fields["commune"].choices = [("", "Toutes les communes")] + [
            (code, name) for code, (_, name) in self._communes.items()
        ]
        if not self._communes:
            self.fields["commune"].help_text = "Choisissez d'abord un département."
        code = data.get("commune", "")
        if code and code not in self._communes:
            if visible.filter(kind=NodeKind.COMMUNE, code=code).exists():
                data["commune"] = ""  # A commune of another département: the filter changed.
            else:
                self.out_of_scope = True

    def clean(self):
        cleaned = super().clean()
        ips_min, ips_max = cleaned.get("ips_min"), cleaned.get("ips_max")
        if ips_min is not None and ips_max is not None and ips_min > ips_max:
            # Both bounds are wrong together: neither filters the list.
            self.add_error("ips_min", "L'IPS minimum doit être inférieur ou égal au maximum.")
            self.add_error("ips_max", "L'IPS maximum doit être supérieur ou égal au minimum.")
        return cleaned

    def filters(self) -> SchoolFilters:
        """The valid filters: a field with an error filters nothing and shows its message."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        cleaned = self.cleaned_data
        departement = self._departements.get(cleaned.get("departement") or "")
        commune = self._communes.get(cleaned.get("commune") or "")
        kind = cleaned.get("kind") or ""
        return SchoolFilters(
            departement_id=departement[0] if departement else None,
            commune_id=commune[0] if commune else None,
            kinds=KIND_GROUPS[kind][1] if kind else (),
            sector=cleaned.get("sector") or "",
            network=cleaned.get("network") or "",
            ips_min=cleaned.get("ips_min"),
            ips_max=cleaned.get("ips_max"),
            query=cleaned.get("q") or "",
        )
