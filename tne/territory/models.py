import datetime
import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone

from tne.core.audit import Place
from tne.core.scope import scope_of
from tne.core.text import search_text

from .enums import EducationNetwork, Level, NodeKind, SchoolKind, Sector, StaffRole, Stage
from .perms import VIEW_PEOPLE, VIEW_SCHOOLS
from .validators import validate_uai

SCHOOL_YEAR_FIRST_MONTH = 9  # September


def school_search_text(name: str, commune_name: str) -> str:
    """What a school is searched (and sorted) by: its name, then its commune's, so that « laon »
    finds the schools of Laon and « jaures laon » the école Jean-Jaurès of Laon."""
    return search_text(f"{name} {commune_name}")


class TerritoryNodeQuerySet(models.QuerySet):
    """Every node is created through ``create`` (``get_or_create``) or ``bulk_create``: both
    write the node's ``search_name`` from its name, so no creation path can forget it. A rename
    writes it with the name (``search_text``)."""

    def visible_to(self, user, permission=VIEW_SCHOOLS):
        """The nodes ``user`` may browse: public geography around the grants that carry
        ``permission`` (what they may act on is ``scope_of(user, permission).node_q()``)."""
        return self.filter(scope_of(user, permission).browse_q())

    def create(self, **kwargs):
        kwargs["search_name"] = search_text(kwargs.get("name", ""))
        return super().create(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for node in objs:
            node.search_name = search_text(node.name)
        return super().bulk_create(objs, *args, **kwargs)


class TerritoryNode(models.Model):
    """A node of the territory tree: pays → région → académie → département → commune, and the
    circonscriptions (groups of écoles followed by an IEN) under their département.

    ``path`` is the materialised path of codes (``/FR/R32/A20/D02/C02691/``), so a subtree is one
    indexed ``startswith`` filter. Targets and budget envelopes of the measures hang on nodes."""

    kind = models.CharField("type", max_length=20, choices=NodeKind.choices)
    code = models.CharField(
        "code", max_length=20, help_text="Code officiel : INSEE, numéro de département…"
    )
    name = models.CharField("nom", max_length=200)
    # The name as searched and sorted (``search_text(name)``), written with the name.
    search_name = models.TextField("nom pour la recherche", editable=False, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name="parent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("chemin", max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("profondeur", editable=False, default=0)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    is_pilot = models.BooleanField(
        "territoire du programme",
        default=False,
        help_text="Département engagé dans le programme TNE.",
    )

    objects = TerritoryNodeQuerySet.as_manager()

    PATH_PREFIX = {
        NodeKind.COUNTRY: "",
        NodeKind.REGION: "R",
        NodeKind.ACADEMIE: "A",
        NodeKind.DEPARTEMENT: "D",
        NodeKind.CIRCONSCRIPTION: "CI",
        NodeKind.COMMUNE: "C",
    }

    class Meta:
        verbose_name = "nœud du territoire"
        verbose_name_plural = "nœuds du territoire"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_node_kind_code"),
        ]
        indexes = [
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["parent", "search_name"]),
        ]

    def __str__(self):
        if self.kind == NodeKind.DEPARTEMENT:
            return f"{self.name} ({self.code})"
        return self.name

    @classmethod
    def path_for(cls, kind: str, code: str, parent: "TerritoryNode | None") -> str:
        return f"{parent.path if parent else '/'}{cls.PATH_PREFIX[kind]}{code}/"

    @property
    def browse_path(self) -> str:
        """Where a user granted on this node browses the territory from: its département for a
        commune or a circonscription (they are siblings under it), else the node itself."""
        parts = self.path.strip("/").split("/")
        for i, part in enumerate(parts):
            if part.startswith(self.PATH_PREFIX[NodeKind.DEPARTEMENT]):
                return "/" + "/".join(parts[: i + 1]) + "/"
        return self.path


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW_SCHOOLS):
        return self.filter(scope_of(user, permission).school_q())

    def first_degree(self):
        return self.filter(kind__in=SchoolKind.first_degree())


class School(models.Model):
    """An école, collège or lycée, identified by its UAI. The geographic links are denormalised
    (région, académie, département, commune, circonscription) so that scoping is one indexed
    filter whatever the role; ``owner`` is the local authority that owns the building."""

    uai = models.CharField("UAI", max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField("nom", max_length=255)
    # The name and commune as searched and sorted (``school_search_text``), written with them by
    # the importers (and refreshed when the commune is renamed).
    search_name = models.TextField("nom pour la recherche", editable=False)
    # The name is an open-data placeholder (« A COMPLETER », an address): set by the importers
    # from ``placeholders.name_needs_review``; such schools come last in the list.
    name_needs_review = models.BooleanField("nom à corriger", default=False, editable=False)
    kind = models.CharField("type", max_length=20, choices=SchoolKind.choices)
    sector = models.CharField("secteur", max_length=10, choices=Sector.choices)
    education_network = models.CharField(
        "éducation prioritaire",
        max_length=10,
        choices=EducationNetwork.choices,
        blank=True,
        default=EducationNetwork.NONE,
    )
    ips = models.DecimalField(
        "IPS",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Indice de position sociale (moyenne nationale ≈ 100).",
    )
    ips_year = models.CharField("année de l'IPS", max_length=9, blank=True)
    ips_std = models.DecimalField(
        "écart-type de l'IPS", max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Pupils per level as published in open data ({"6E": 212, "SEGPA": 48…}); empty when unknown.
    pupils_by_level = models.JSONField("effectifs par niveau (open data)", default=dict, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)

    region = models.ForeignKey(
        TerritoryNode, verbose_name="région", on_delete=models.PROTECT, related_name="+"
    )
    academie = models.ForeignKey(
        TerritoryNode, verbose_name="académie", on_delete=models.PROTECT, related_name="+"
    )
    departement = models.ForeignKey(
        TerritoryNode, verbose_name="département", on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        TerritoryNode, verbose_name="commune", on_delete=models.PROTECT, related_name="schools"
    )
    circonscription = models.ForeignKey(
        TerritoryNode,
        verbose_name="circonscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        TerritoryNode,
        verbose_name="collectivité propriétaire",
        on_delete=models.PROTECT,
        related_name="owned_schools",
        help_text="La commune pour une école, le département pour un collège, la région pour "
        "un lycée.",
    )
    # Names of the fields whose value the demo synthesised instead of reading open data.
    synthesised_fields = models.JSONField("champs synthétisés", default=list, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["search_name", "uai"]
        indexes = [
            models.Index(fields=["departement", "name"]),
            models.Index(fields=["commune", "name"]),
            models.Index(fields=["circonscription", "name"]),
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["academie", "name"]),
            models.Index(fields=["region", "name"]),
            # The order of the API's keyset pages.
            models.Index(fields=["name", "uai"]),
            # The order of the school list: a deep page is an index-only walk of
            # (search_name, uai); filtered by département, a walk of that département's rows.
            models.Index(fields=["search_name", "uai"]),
            models.Index(fields=["departement", "search_name"]),
            # The default order of the list (names to correct last), and the IPS sort (no IPS
            # last); the reverse IPS sort has its own index on PostgreSQL (migration 0007:
            # SQLite has no NULLS LAST in an index).
            models.Index(
                fields=["name_needs_review", "search_name", "uai"], name="school_review_order"
            ),
            models.Index(fields=["ips", "search_name", "uai"], name="school_ips_order"),
        ]

    def __str__(self):
        return f"{self.name} ({self.uai})"

    def audit_place(self) -> Place:
        """Where the audit trail files a change of this school: its commune, and itself."""
        return Place(path=self.commune.path, school_id=self.pk)

    @property
    def readable_ips(self):
        """The IPS where the list's query found the user may read it (``ips_readable``)."""
        return self.ips if getattr(self, "ips_readable", False) else None


def school_year_start(day: datetime.date) -> int:
    """The calendar year a school year starts in: a school year starts on 1 September, so
    2026-09-01 is in 2026-2027 and 2026-08-31 still in 2025-2026."""
    return day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1


def school_year_label(day: datetime.date) -> str:
    """« 2026-2027 » for any day from 2026-09-01 to 2027-08-31."""
    start = school_year_start(day)
    return f"{start}-{start + 1}"


class SchoolYearQuerySet(models.QuerySet):
    def _current(self, today: datetime.date | None):
        label = school_year_label(today or timezone.localdate())
        return self.filter(Q(is_pinned=True) | Q(label=label)).order_by("-is_pinned")[:1]

    def current(self, *, today: datetime.date | None = None) -> "SchoolYear | None":
        """THE current school year: the one national steering pinned in the admin
        (``is_pinned``), else the school year of the date (Europe/Paris; it starts on
        1 September), or None when that year has no row yet. ``today`` is for tests."""
        return next(iter(self._current(today)), None)

    def current_pk(self, *, today: datetime.date | None = None) -> Subquery:
        """The pk of :meth:`current` as a subquery, to filter on it inside a bigger query
        without a query of its own (``figures__year=SchoolYear.objects.current_pk()``)."""
        return Subquery(self._current(today).values("pk"))


class SchoolYear(models.Model):
    """A school year, « 2025-2026 »; the current one is given by ``SchoolYear.objects.current()``:
    the year of the date, unless steering pinned another one."""

    label = models.CharField("année scolaire", max_length=9, unique=True)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    is_pinned = models.BooleanField(
        "imposée comme année en cours",
        default=False,
        help_text="Sans année imposée, l'année en cours suit la date : elle commence le "
        "1er septembre. Une seule année peut être imposée.",
    )

    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        verbose_name = "année scolaire"
        verbose_name_plural = "années scolaires"
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_pinned"], condition=Q(is_pinned=True), name="one_pinned_school_year"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="school_year_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.label


_STAGE_POSITION = {stage: i for i, stage in enumerate(Stage.values)}
_LEVEL_POSITION = {level: i for i, level in enumerate(Level.values)}
_DIGITS = re.compile(r"(\d+)")


def class_order_key(school_class: "SchoolClass") -> tuple:
    """The pedagogical order of the classes of a school: by stage (maternelle, élémentaire,
    collège, lycée), then by first level (CP before CE1, 6e before 5e, Seconde before Première;
    a multi-level class at its lowest level), then by name in natural order (« Première 2 »
    before « Première 10 »). Levels outside ``Level`` come after the known ones."""
    first_level = min(
        (_LEVEL_POSITION.get(level, len(_LEVEL_POSITION)) for level in school_class.levels),
        default=len(_LEVEL_POSITION),
    )
    name = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, search_text(part))
        for part in _DIGITS.split(school_class.name)
        if part
    )
    return (_STAGE_POSITION.get(school_class.stage, len(_STAGE_POSITION)), first_level, name)


class SchoolClassQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW_SCHOOLS):
        return self.filter(scope_of(user, permission).school_q("school__"))

    def current(self):
        """The classes of the current school year (:meth:`SchoolYearQuerySet.current`)."""
        return self.filter(year=SchoolYear.objects.current_pk())


class SchoolClass(models.Model):
    """A class of a school in a school year: its levels (a multi-level class has several), its
    stage (what the measures count) and its headcount."""

    school = models.ForeignKey(
        School, verbose_name="établissement", on_delete=models.CASCADE, related_name="classes"
    )
    year = models.ForeignKey(
        SchoolYear, verbose_name="année scolaire", on_delete=models.PROTECT, related_name="classes"
    )
    name = models.CharField("nom", max_length=100)
    levels = models.JSONField("niveaux", default=list)
    stage = models.CharField("cycle", max_length=20, choices=Stage.choices)
    headcount = models.PositiveSmallIntegerField(
        "effectif", validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    is_synthetic = models.BooleanField(
        "donnée synthétique",
        default=False,
        help_text="Classe créée par la démonstration faute de donnée ouverte.",
    )

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = "classe"
        verbose_name_plural = "classes"
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "name"], name="class_unique_name"),
        ]
        indexes = [models.Index(fields=["school", "year", "stage"])]

    def __str__(self):
        return f"{self.name} — {self.school.name}"

    def audit_place(self) -> Place:
        return self.school.audit_place()


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW_PEOPLE):
        """Staff are people: by default only where the user's grants may read people."""
        return self.filter(scope_of(user, permission).school_q("school__"))


class Staff(models.Model):
    """A member of staff assigned to a school: a teacher (possibly newly appointed, the M7
    target) or the school head. Personal data: only roles that may see people read it."""

    school = models.ForeignKey(
        School, verbose_name="établissement", on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField("fonction", max_length=10, choices=StaffRole.choices)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("courriel", blank=True)
    is_new_teacher = models.BooleanField(
        "nouveau professeur",
        default=False,
        help_text="Néo-titulaire ou stagiaire : public de la mesure 7.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
    )
    is_synthetic = models.BooleanField("donnée synthétique", default=False)

    objects = StaffQuerySet.as_manager()
    # Never written in the audit trail (``tne.core.audit``): a reference and a marker instead.
    PERSONAL_FIELDS = ("first_name", "last_name", "email")

    class Meta:
        verbose_name = "personnel"
        verbose_name_plural = "personnels"
        ordering = ["school", "last_name", "first_name"]
        indexes = [models.Index(fields=["school", "role", "is_new_teacher"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def audit_place(self) -> Place:
        return self.school.audit_place()


class SchoolFigures(models.Model):
    """The current figures of one school, summed by the dashboard and shown by the school list
    instead of counting 600,000 classes and staff rows on each page. Derived data: written only
    by ``services.refresh_school_figures``, from the classes of ``year`` (the current year when
    refreshed) and the staff of the school (teachers only, as the dashboard counts them)."""

    school = models.OneToOneField(
        School,
        verbose_name="établissement",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    year = models.ForeignKey(
        SchoolYear,
        verbose_name="année scolaire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    classes = models.PositiveIntegerField("classes", default=0)
    elementary_classes = models.PositiveIntegerField("classes élémentaires", default=0)
    pupils = models.PositiveIntegerField("élèves", default=0)
    synthetic_classes = models.PositiveIntegerField("classes synthétiques", default=0)
    teachers = models.PositiveIntegerField("enseignants", default=0)
    new_teachers = models.PositiveIntegerField("nouveaux professeurs", default=0)
    synthetic_staff = models.PositiveIntegerField("enseignants synthétiques", default=0)
    refreshed_at = models.DateTimeField("recalculé le")

    class Meta:
        verbose_name = "chiffres d'un établissement"
        verbose_name_plural = "chiffres des établissements"

    def __str__(self):
        return f"Chiffres de l'établissement {self.school_id}"
