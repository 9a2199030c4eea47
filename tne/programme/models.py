"""The programme: its eight measures, its periods, and per territory node the targets and the
budget envelopes of each measure. Every later capability (equipment orders charged to an
envelope, loans, evaluation against the targets) reads them from here."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Sum, When
from django.utils import timezone

from tne.core.formats import euros as format_euros
from tne.core.scope import scope_of
from tne.territory.models import SchoolYear, TerritoryNode

from .enums import PeriodKind, Unit
from .perms import VIEW


def visible_nodes_q(user, permission, prefix: str = "node__") -> Q:
    """The nodes whose programme figures ``user`` reads: the part of the tree they browse
    (their département and below, or their own subtree above it) and the nodes above it (the
    national, régional and académique figures they contribute to). Never a sibling's."""
    scope = scope_of(user, permission)
    if scope.everything:
        return Q()
    if not scope.browse_paths:
        return Q(pk__in=[])
    ancestors = set()
    for path in scope.browse_paths:
        parts = path.strip("/").split("/")
        ancestors.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return scope.browse_q(prefix) | Q(**{f"{prefix}path__in": sorted(ancestors)})


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        """The measures are the programme's public text: every holder of ``permission``."""
        if scope_of(user, permission).browse_paths or scope_of(user, permission).everything:
            return self
        return self.none()


class Measure(models.Model):
    """One of the eight measures of the programme (M1…M8), the unit of targets, budgets and
    indicators. Loaded by a data migration."""

    code = models.CharField("code", max_length=4, unique=True)
    title = models.CharField("intitulé", max_length=120)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} — {self.title}"


class PeriodQuerySet(models.QuerySet):
    def containing(self, day: datetime.date):
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)

    def current(self, day: datetime.date | None = None) -> "Period | None":
        """The period the dashboard follows: the latest started of those containing ``day``
        (today), else the latest started one."""
        day = day or timezone.localdate()
        ongoing = Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        return (
            self.filter(starts_on__lte=day)
            .annotate(ongoing=Case(When(ongoing, then=1), default=0))
            .order_by("-ongoing", "-starts_on", "pk")
            .first()
        )


class Period(models.Model):
    """A period of the programme: a school year, or a phase (« Phase pilote 2020-2022 »,
    « Généralisation »), with its dates (an open phase has no end)."""

    label = models.CharField("libellé", max_length=80, unique=True)
    kind = models.CharField("type", max_length=20, choices=PeriodKind.choices)
    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name="année scolaire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "période"
        verbose_name_plural = "périodes"
        ordering = ["-starts_on", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="programme_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.school_year_id and self.kind != PeriodKind.SCHOOL_YEAR:
            raise ValidationError(
                {"school_year": "Seule une période de type « année scolaire » en désigne une."}
            )
        if self.ends_on and self.starts_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "La fin doit suivre le début."})


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(visible_nodes_q(user, permission))


class Target(models.Model):
    """What a measure must reach on a node of the territory over a period: a count and its unit
    (« 2 700 classes »)."""

    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="targets"
    )
    node = models.ForeignKey(
        TerritoryNode, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name="période", on_delete=models.PROTECT, related_name="targets"
    )
    count = models.PositiveIntegerField("objectif", validators=[MinValueValidator(1)])
    unit = models.CharField("unité", max_length=20, choices=Unit.choices)
    note = models.CharField(
        "note",
        max_length=255,
        blank=True,
        help_text="Par exemple « hypothèse de démonstration », ou la source du chiffre.",
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["measure__order", "node__path", "period__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "node", "period"],
                name="programme_target_unique",
                violation_error_message="Un objectif de cette mesure existe déjà pour ce "
                "territoire et cette période : modifiez-le plutôt.",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="programme_target_positive"),
        ]
        indexes = [models.Index(fields=["node", "measure"])]

    def __str__(self):
        return f"{self.measure.code} — {self.node} — {self.period} : {self.count} {self.unit_label}"

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label if self.unit else ""


class EnvelopeQuerySet(models.QuerySet):
    def visible_to(self, user, permission=VIEW):
        return self.filter(visible_nodes_q(user, permission))


class Envelope(models.Model):
    """A budget envelope of a measure held by a node (optionally for a period), in euros. An
    envelope may be split among nodes below it: each part names it as ``parent``, and the parts
    together never exceed it."""

    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="envelopes"
    )
    node = models.ForeignKey(
        TerritoryNode, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period,
        verbose_name="période",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="envelopes",
    )
    amount = models.DecimalField(
        "montant (€)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "Le montant doit être positif.")],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="enveloppe répartie",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="L'enveloppe d'un territoire au-dessus dont celle-ci est une part.",
    )
    note = models.CharField("note", max_length=255, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = EnvelopeQuerySet.as_manager()

    class Meta:
        verbose_name = "enveloppe"
        verbose_name_plural = "enveloppes"
        ordering = ["measure__order", "node__path", "period__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "node", "period"],
                condition=Q(period__isnull=False),
                name="programme_envelope_unique",
                violation_error_message="Une enveloppe de cette mesure existe déjà pour ce "
                "territoire et cette période.",
            ),
            models.UniqueConstraint(
                fields=["measure", "node"],
                condition=Q(period__isnull=True),
                name="programme_envelope_unique_no_period",
                violation_error_message="Une enveloppe de cette mesure sans période existe déjà "
                "pour ce territoire.",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="programme_envelope_positive"),
        ]
        indexes = [models.Index(fields=["node", "measure"])]

    def __str__(self):
        period = f" — {self.period}" if self.period_id else ""
        return f"{self.measure.code} — {self.node}{period} : {format_euros(self.amount)}"

    def children_total(self, *, excluding: "Envelope | None" = None) -> Decimal:
        children = Envelope.objects.filter(parent_id=self.pk)
        if excluding is not None and excluding.pk:
            children = children.exclude(pk=excluding.pk)
        return children.aggregate(total=Sum("amount"))["total"] or Decimal("0")

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.amount is not None and self.pk:
            split = self.children_total()
            if split > self.amount:
                errors.setdefault("amount", []).append(
                    f"Cette enveloppe est déjà répartie à hauteur de {format_euros(split)} "
                    f"entre ses sous-enveloppes : elle ne peut pas descendre en dessous."
                )
        parent = self.parent
        if parent is not None:
            if self.pk and parent.pk == self.pk:
                errors.setdefault("parent", []).append(
                    "Une enveloppe ne peut pas être répartie à partir d'elle-même."
                )
            elif self.measure_id and parent.measure_id != self.measure_id:
                errors.setdefault("parent", []).append(
                    "L'enveloppe répartie doit être de la même mesure."
                )
            elif self.node_id and not (
                self.node.path.startswith(parent.node.path) and self.node.path != parent.node.path
            ):
                errors.setdefault("parent", []).append(
                    f"Le territoire doit être situé sous celui de l'enveloppe répartie "
                    f"({parent.node})."
                )
            elif parent.period_id and self.period_id != parent.period_id:
                errors.setdefault("period", []).append(
                    f"La période doit être celle de l'enveloppe répartie ({parent.period})."
                )
            elif self.amount is not None:
                others = parent.children_total(excluding=self)
                if others + self.amount > parent.amount:
                    left = max(parent.amount - others, Decimal("0"))
                    errors.setdefault("amount", []).append(
                        f"Le total des sous-enveloppes ({format_euros(others + self.amount)}) "
                        f"dépasserait l'enveloppe de {parent.node.name} "
                        f"({format_euros(parent.amount)}) : il reste {format_euros(left)} à "
                        f"répartir."
                    )
        if errors:
            raise ValidationError(errors)
