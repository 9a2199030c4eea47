"""Forms of the « Accès » pages: the list filters, granting a role, choosing a password."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from dsfr.forms import DsfrBaseForm

from tne.core.roles import Role
from tne.core.text import words_q
from tne.core.validators import single_line_text
from tne.core.widgets import OneLoopSelect
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .access import can_grant, grantable_roles, management_scope
from .enums import SCHOOL_ROLES
from .models import ALLOWED_NODE_KINDS, RoleAssignment

# Model field of a RoleAssignment error → field of the grant form.
MODEL_TO_FORM_FIELD = {"school": "uai", "node": "node"}


def add_model_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a RoleAssignment ValidationError on the grant form fields it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(MODEL_TO_FORM_FIELD.get(field), message)


SEARCH_LIMIT = 15


def grant_node_kinds(manager, role: str = "") -> set[str]:
    """The kinds of territory a role of this manager is granted on (``role``, or any of theirs)."""
    roles = [r for r in grantable_roles(manager) if r not in SCHOOL_ROLES]
    if role in roles:
        roles = [role]
    return {kind for r in roles for kind in ALLOWED_NODE_KINDS[r]}


def matching_nodes(manager, query: str, role: str = "", limit: int | None = SEARCH_LIMIT):
    """``(pk, label)`` of the territories of the manager's authority that fit ``role`` and whose
    name (or code) holds every word of ``query``: the options of the « Territoire » search."""
    nodes = TerritoryNode.objects.filter(
        management_scope(manager).node_q(), kind__in=grant_node_kinds(manager, role)
    )
    query = query.strip()
    if query:
        nodes = nodes.filter(words_q(query) | Q(code__iexact=query))
    nodes = nodes.order_by("depth", "search_name", "code").values_list("pk", "kind", "name", "code")
    if limit:
        nodes = nodes[:limit]
    return [(pk, _node_label(kind, name, code)) for pk, kind, name, code in nodes]


def matching_schools(manager, query: str, limit: int = SEARCH_LIMIT):
    """``(uai, label)`` of the schools of the manager's authority found by name, commune or UAI."""
    query = query.strip()
    if len(query) < 2:
        return []
    schools = School.objects.filter(management_scope(manager).school_q()).filter(
        words_q(query) | Q(uai__iexact=query)
    )
    rows = schools.order_by("search_name", "uai").values_list("uai", "name")[:limit]
    return [(uai, f"{name} ({uai})") for uai, name in rows]


def _node_label(kind: str, name: str, code: str) -> str:
    if kind == NodeKind.DEPARTEMENT:
        name = f"{name} ({code})"
    return f"{NodeKind(kind).label} — {name}"


class AccessFilterForm(DsfrBaseForm):
    """The filters of the list. Départements are offered when the scope has several; a code
    outside the scope sets ``out_of_scope`` (the view answers 404)."""

    text = forms.CharField(
        label="Personne (adresse électronique ou nom)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Rôle", required=False, choices=[("", "Tous les rôles"), *Role.choices]
    )
    departement = forms.ChoiceField(label="Département", required=False)

    def __init__(self, data, *, manager):
        super().__init__(data)
        self._departements = {
            node.code: node
            for node in TerritoryNode.objects.filter(
                management_scope(manager).node_q(), kind=NodeKind.DEPARTEMENT
            ).order_by("code")
        }
        self.fields["departement"].choices = [("", "Tous les départements")] + [
            (code, str(node)) for code, node in self._departements.items()
        ]
        code = data.get("departement", "")
        self.out_of_scope = bool(code) and code not in self._departements

    @property
    def several_departements(self) -> bool:
        return len(self._departements) > 1

    def filters(self) -> dict:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        cleaned = self.cleaned_data
        return {
            "role": cleaned.get("role") or "",
            "text": (cleaned.get("text") or "").strip(),
            "departement": self._departements.get(cleaned.get("departement") or ""),
        }


class AccessGrantForm(DsfrBaseForm):
    """A role for a person (found or created by e-mail) on a node or a school of the manager's
    scope. The role must fit the target: ``RoleAssignment.clean`` decides, its message shows on
    the field. ``role_hint`` narrows the territories offered to those that fit that role."""

    email = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label="Prénom",
        required=False,
        max_length=150,
        validators=[single_line_text],
        help_text="Seulement si la personne n'a pas encore de compte.",
    )
    last_name = forms.CharField(
        label="Nom",
        required=False,
        max_length=150,
        validators=[single_line_text],
        help_text="Seulement si la personne n'a pas encore de compte.",
    )
    role = forms.ChoiceField(
        label="Rôle",
        error_messages={"invalid_choice": "Vous ne pouvez pas attribuer ce rôle."},
    )
    node = forms.ChoiceField(
        label="Territoire",
        required=False,
        widget=OneLoopSelect,
        help_text="Pour un rôle attribué sur un territoire.",
        error_messages={"invalid_choice": "Ce territoire ne fait pas partie de votre périmètre."},
    )
    uai = forms.CharField(
        label="UAI de l'établissement",
        required=False,
        max_length=8,
        help_text="Pour un rôle attribué dans un établissement (direction, enseignant, parent), "
        "par exemple 0021234A.",
    )

    def __init__(self, data=None, *, manager, role_hint: str = "", node_query: str = ""):
        """``node_query`` (the search field of the page without JavaScript, submitted by
        « Filtrer »): only the territories it finds are offered."""
        super().__init__(data)
        self.manager = manager
        self.scope = management_scope(manager)
        roles = grantable_roles(manager)
        self.fields["role"].choices = [("", "Choisir un rôle")] + [(r, r.label) for r in roles]
        if role_hint in roles:
            self.initial["role"] = role_hint
        nodes = matching_nodes(manager, node_query, role_hint, limit=None)
        empty = "Choisir un territoire" if nodes else "Aucun territoire ne correspond"
        self.fields["node"].choices = [("", empty), *nodes]
        self.target = None

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def _school(self, uai: str) -> School | None:
        if not uai:
            self.add_error("uai", "Indiquez l'UAI de l'établissement pour ce rôle.")
            return None
        school = School.objects.filter(self.scope.school_q(), uai=uai).first()
        if school is None:
            self.add_error(
                "uai",
                f"UAI de l'établissement\u00a0: aucun établissement de votre périmètre ne porte "
                f"l'UAI «\u00a0{uai}\u00a0».",
            )
        return school

    def _node(self, pk: str) -> TerritoryNode | None:
        if not pk:
            if "node" not in self.errors:  # a forged or foreign territory has its own error
                self.add_error("node", "Choisissez le territoire sur lequel attribuer ce rôle.")
            return None
        return TerritoryNode.objects.get(pk=pk)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        if role in SCHOOL_ROLES:
            school, node = self._school((cleaned.get("uai") or "").strip().upper()), None
        else:
            school, node = None, self._node(cleaned.get("node"))
        if school is None and node is None:
            return cleaned
        try:
            RoleAssignment(role=role, node=node, school=school).clean()
        except ValidationError as error:
            add_model_errors(self, error)
            return cleaned
        self.target = school or node
        if not can_grant(self.manager, role, self.target):
            raise ValidationError("Vous ne pouvez pas attribuer ce rôle sur ce périmètre.")
        return cleaned


class NewPasswordErrorsFirst:
    """Django's SetPasswordForm puts the password validators' errors (« trop court », « trop
    courant »…) on the confirmation field: they are about the new password, so they go on
    ``new_password1``; a mismatch stays on the confirmation."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class PasswordSetForm(NewPasswordErrorsFirst, DsfrBaseForm, SetPasswordForm):
    """Django's password form, in DSFR style."""


class PasswordResetSetForm(PasswordSetForm):
    """The new password chosen through a « Mot de passe oublié ? » link."""


class InviteFileForm(DsfrBaseForm):
    """The CSV file of « Inviter depuis un fichier »."""

    file = forms.FileField(label="Fichier CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError("Le fichier doit être un fichier CSV (.csv).")
        return upload
