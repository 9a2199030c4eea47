"""The catalogue: kinds of devices, the models one can buy, and the kits composed of them."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from tne.programme.models import Measure

from ..enums import KitTarget


class Category(models.Model):
    """A kind of device (« Vidéoprojecteur », « Visualiseur »…). ``code`` is what the socle's
    rules and the kits refer to; ``reference_model`` prices a kit line that names the category
    only."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    reference_model = models.ForeignKey(
        "equipment.DeviceModel",
        verbose_name="modèle de référence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Le modèle dont le prix sert à chiffrer un kit qui ne nomme que la catégorie.",
    )

    class Meta:
        verbose_name = "catégorie de matériel"
        verbose_name_plural = "catégories de matériel"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class DeviceModelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class DeviceModel(models.Model):
    """A model one can buy: maker, reference (what delivery files name), price incl. VAT."""

    category = models.ForeignKey(
        Category, verbose_name="catégorie", on_delete=models.PROTECT, related_name="models"
    )
    maker = models.CharField("fabricant", max_length=120)
    reference = models.CharField(
        "référence",
        max_length=80,
        unique=True,
        help_text="La référence du modèle telle que l'écrivent les fichiers de livraison.",
    )
    name = models.CharField("désignation", max_length=200)
    unit_price = models.DecimalField(
        "prix unitaire TTC (€)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    warranty_months = models.PositiveSmallIntegerField("garantie (mois)", default=24)
    is_active = models.BooleanField("au catalogue", default=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = DeviceModelQuerySet.as_manager()

    class Meta:
        verbose_name = "modèle de matériel"
        verbose_name_plural = "modèles de matériel"
        ordering = ["category__order", "maker", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="equipment_model_price_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.maker} {self.name} ({self.reference})"


class KitTemplate(models.Model):
    """A kit: what one class, school, head or teacher receives (« Kit d'enseignement hybride »,
    « Socle classe »…), for a measure. Its cost is computed from its items."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120, unique=True)
    measure = models.ForeignKey(
        Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField("destinataire", max_length=10, choices=KitTarget.choices)
    description = models.TextField("description", blank=True)
    is_active = models.BooleanField("proposé", default=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "kit"
        verbose_name_plural = "kits"
        ordering = ["measure__order", "name"]

    def __str__(self):
        return self.name


class KitItem(models.Model):
    """One line of a kit: a quantity of a model, or of a category (priced at its reference
    model)."""

    kit = models.ForeignKey(
        KitTemplate, verbose_name="kit", on_delete=models.CASCADE, related_name="items"
    )
    category = models.ForeignKey(
        Category, verbose_name="catégorie", on_delete=models.PROTECT, related_name="+"
    )
    model = models.ForeignKey(
        DeviceModel,
        verbose_name="modèle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Facultatif : sans modèle, la ligne est chiffrée au modèle de référence de sa "
        "catégorie.",
    )
    quantity = models.PositiveSmallIntegerField(
        "quantité", default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "élément de kit"
        verbose_name_plural = "éléments de kit"
        ordering = ["kit", "category__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "category"], name="equipment_kit_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="equipment_kit_item_qty"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.model or self.category}"
