import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from tne.core.audit import Place, place_of
from tne.core.permissions import Permission
from tne.core.roles import Role
from tne.core.scope import EVERYTHING, Scope
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .enums import SCHOOL_ROLES

EMAIL_TAKEN = "Un compte existe déjà avec cette adresse électronique."


def normalize_email(email: str) -> str:
    """E-mail addresses are compared without case: they are stored in lowercase."""
    return BaseUserManager.normalize_email(email.strip()).lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """Logging in ignores the case of the address (through the index on its lowercase)."""
        return self.alias(email_lower=Lower("email")).get(email_lower=normalize_email(username))

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A local account, identified by its email address. Agents will later log in through the
    ministry's OpenID Connect provider too: ``external_id`` is reserved for the OIDC ``sub``."""

    email = models.EmailField(
        "adresse électronique", unique=True, error_messages={"unique": EMAIL_TAKEN}
    )
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "accès à l'administration",
        default=False,
        help_text="Peut se connecter à l'interface d'administration (attribution des rôles).",
    )
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    external_id = models.CharField(
        "identifiant externe (OIDC)", max_length=255, null=True, blank=True, unique=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    # Never written in the audit trail (``tne.core.audit``): a reference and a marker instead.
    PERSONAL_FIELDS = ("email", "first_name", "last_name", "external_id", "password")

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=EMAIL_TAKEN,
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email or "")

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def grants(self) -> list["RoleAssignment"]:
        """The user's role grants with their node or school: one query per user object."""
        return list(self.role_assignments.select_related("node", "school__commune"))

    def roles_label(self) -> str:
        """« Coordination académique ou départementale — Aisne (02) », for the page header."""
        if self.is_superuser and not self.grants:
            return "Administration"
        return " · ".join(f"{g.get_role_display()} — {g.target}" for g in self.grants)

    def compute_scope(self, permission: Permission) -> Scope:
        """Where ``permission`` reaches: only the grants whose role carries it count, turned
        into school filters, authority subtrees and browsable nodes (no query beyond
        :attr:`grants`)."""
        if self.is_superuser:
            return EVERYTHING
        grants = [g for g in self.grants if permission.carried_by(g.role)]
        if any(g.node_id and g.node.kind == NodeKind.COUNTRY for g in grants):
            return EVERYTHING
        school_grants: list[tuple[str, object]] = []
        authority_paths: list[str] = []
        browse_paths: list[str] = []
        for grant in grants:
            if grant.school_id:
                school_grants.append(("pk", grant.school_id))
                browse_paths.append(grant.school.commune.browse_path)
            elif grant.role == Role.LOCAL_AUTHORITY:
                # An authority acts on the buildings it owns, not on the territory around them.
                school_grants.append(("owner_id", grant.node_id))
                browse_paths.append(grant.node.browse_path)
            else:
                school_grants.append((SCOPE_LOOKUP[grant.node.kind], grant.node_id))
                authority_paths.append(grant.node.path)
                browse_paths.append(grant.node.browse_path)
        return Scope(
            school_grants=tuple(dict.fromkeys(school_grants)),
            authority_paths=tuple(dict.fromkeys(authority_paths)),
            browse_paths=tuple(dict.fromkeys(browse_paths)),
        )


# Which School column a grant on a node of each kind filters on.
SCOPE_LOOKUP = {
    NodeKind.REGION: "region_id",
    NodeKind.ACADEMIE: "academie_id",
    NodeKind.DEPARTEMENT: "departement_id",
    NodeKind.CIRCONSCRIPTION: "circonscription_id",
    NodeKind.COMMUNE: "commune_id",
}


class RoleAssignment(models.Model):
    """A role granted to a user on a node of the territory tree, or on one school for the roles
    that live in a school (head, teacher, parent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    node = models.ForeignKey(
        TerritoryNode,
        verbose_name="territoire",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    school = models.ForeignKey(
        School,
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribué par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField("attribué le", default=timezone.now)

    class Meta:
        verbose_name = "rôle attribué"
        verbose_name_plural = "rôles attribués"
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(node__isnull=False) & Q(school__isnull=True))
                | (Q(node__isnull=True) & Q(school__isnull=False)),
                name="role_on_node_xor_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "node"],
                name="role_unique_on_node",
                condition=Q(node__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                name="role_unique_on_school",
                condition=Q(school__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.target}"

    @property
    def target(self):
        return self.school if self.school_id else self.node

    def audit_place(self) -> Place:
        return place_of(self.target)

    def clean(self):
        if self.role in SCHOOL_ROLES:
            if not self.school_id or self.node_id:
                raise ValidationError({"school": "Ce rôle s'attribue sur un établissement."})
            return
        if not self.node_id or self.school_id:
            raise ValidationError({"node": "Ce rôle s'attribue sur un nœud du territoire."})
        allowed = ALLOWED_NODE_KINDS[self.role]
        if self.node.kind not in allowed:
            labels = ", ".join(str(NodeKind(k).label).lower() for k in allowed)
            raise ValidationError({"node": f"Ce rôle s'attribue sur\u00a0: {labels}."})


_GEO = [NodeKind.REGION, NodeKind.ACADEMIE, NodeKind.DEPARTEMENT]
ALLOWED_NODE_KINDS = {
    Role.NATIONAL: [NodeKind.COUNTRY],
    Role.COORDINATOR: [NodeKind.ACADEMIE, NodeKind.DEPARTEMENT],
    Role.IEN_ERUN: [NodeKind.CIRCONSCRIPTION],
    Role.TECHNICIAN: [*_GEO, NodeKind.CIRCONSCRIPTION, NodeKind.COMMUNE],
    Role.TRAINER: [*_GEO, NodeKind.CIRCONSCRIPTION],
    Role.LOCAL_AUTHORITY: [NodeKind.REGION, NodeKind.DEPARTEMENT, NodeKind.COMMUNE],
    Role.EVALUATOR: [NodeKind.COUNTRY, *_GEO],
}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    PREFIX = "tne_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField("début du jeton", max_length=12, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
