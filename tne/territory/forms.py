"""Forms of the territory browser."""

from django import forms
from django.db.models import Exists, OuterRef
from dsfr.forms import DsfrBaseForm

from tne.core.widgets import OneLoopSelect

from .enums import NodeKind, SchoolKind, Sector
from .models import School, TerritoryNode
from .perms import can_view_ips
from .selectors import SORTS, SchoolFilters

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
    circonscription = forms.ChoiceField(
        label="Circonscription", required=False, widget=OneLoopSelect
    )
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
    # The sort of the list (the column headers' links), kept by the form: not shown.
    tri = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, user):
        data = data.copy()
        super().__init__(data)
        self.out_of_scope = False
        self.shows_ips = can_view_ips(user)
        if not self.shows_ips:
            # Not offered, and not read from the URL: the IPS is not theirs to filter on.
            for name in ("ips_min", "ips_max"):
                del self.fields[name]
        visible = TerritoryNode.objects.visible_to(user)
        schools = School.objects.visible_to(user)
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

        parent_id = None
        if departement is not None or len(self._departements) == 1:
            (parent_id, _) = departement or next(iter(self._departements.values()))
        # Communes and circonscriptions of the chosen département (of the only one), where the
        # user sees at least one school; too many to list before a département is chosen.
        self._communes = self._children(
            visible, schools, NodeKind.COMMUNE, "commune", parent_id, data, "name"
        )
        self._circonscriptions = self._children(
            visible, schools, NodeKind.CIRCONSCRIPTION, "circonscription", parent_id, data, "label"
        )
        self.fields["commune"].choices = [("", "Toutes les communes")] + [
            (code, name) for code, (_, name) in self._communes.items()
        ]
        self.fields["circonscription"].choices = [("", "Toutes les circonscriptions")] + [
            (code, name) for code, (_, name) in self._circonscriptions.items()
        ]
        for name, found in (
            ("commune", self._communes),
            ("circonscription", self._circonscriptions),
        ):
            if not found:
                self.fields[name].help_text = (
                    "Choisissez d'abord un département." if parent_id is None else "Aucune."
                )

    def _children(self, visible, schools, kind, field, parent_id, data, label) -> dict:
        """code → (pk, label) of the nodes of ``kind`` under ``parent_id`` with a school the user
        sees (plain tuples, not model instances: hundreds of communes). A code asked for that is
        not among them is dropped when it is another département's (its parent changed), and
        makes the form ``out_of_scope`` when the user may not browse it at all."""
        nodes = {}
        if parent_id is not None:
            rows = (
                visible.filter(kind=kind, parent_id=parent_id)
                .filter(Exists(schools.filter(**{field: OuterRef("pk")})))
                .order_by("search_name", "code")
                .values_list("pk", "code", "name")
            )
            nodes = {
                code: (pk, name if label == "name" else f"{name} ({code})")
                for pk, code, name in rows
            }
        code = data.get(field, "")
        if code and code not in nodes:
            if visible.filter(kind=kind, code=code).exists():
                data[field] = ""  # Another département's, or without school: the filter changed.
            else:
                self.out_of_scope = True
        return nodes

    def chosen_places(self) -> list[tuple[str, str, str]]:
        """(kind, code, label) of the département, then the commune or circonscription, the
        valid filters narrow the list to: the breadcrumb follows them."""
        cleaned = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        places = []
        for kind, found in (
            ("departement", self._departements),
            ("commune", self._communes),
            ("circonscription", self._circonscriptions),
        ):
            code = cleaned.get(kind) or ""
            if code in found:
                places.append((kind, code, found[code][1]))
        return places

    def clean_tri(self) -> str:
        sort = self.cleaned_data.get("tri") or ""
        key = sort.removeprefix("-")
        if key not in SORTS or (key == "ips" and not self.shows_ips):
            return ""  # An unknown sort is the default order, not an error.
        return sort

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
        circonscription = self._circonscriptions.get(cleaned.get("circonscription") or "")
        kind = cleaned.get("kind") or ""
        return SchoolFilters(
            departement_id=departement[0] if departement else None,
            commune_id=commune[0] if commune else None,
            circonscription_id=circonscription[0] if circonscription else None,
            kinds=KIND_GROUPS[kind][1] if kind else (),
            sector=cleaned.get("sector") or "",
            network=cleaned.get("network") or "",
            ips_min=cleaned.get("ips_min"),
            ips_max=cleaned.get("ips_max"),
            query=cleaned.get("q") or "",
            sort=cleaned.get("tri") or "",
        )
