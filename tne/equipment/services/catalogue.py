"""Writes of the catalogue: the models one can buy, the lines of the kits, the reference model of
a category. Each checks ``equipment.edit_catalogue`` (``actor`` None is the system: the demo, a
migration), validates and writes its audit event in one transaction. The catalogue is the
programme's shared reference: its events have no place (national)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from tne.core.audit import create_audited, delete_audited, update_audited
from tne.core.formats import fr_typo
from tne.core.models import AuditSource

from ..models import Category, DeviceModel, KitItem, KitTemplate
from ..perms import can_edit_catalogue


def _check(actor) -> None:
    if actor is not None and not can_edit_catalogue(actor):
        raise PermissionDenied(
            "Seuls le pilotage national et la coordination modifient le catalogue."
        )


@transaction.atomic
def create_model(
    *,
    actor,
    category: Category,
    maker: str,
    reference: str,
    name: str,
    unit_price,
    warranty_months: int = 24,
    is_active: bool = True,
    source: str = AuditSource.UI,
) -> DeviceModel:
    _check(actor)
    model = DeviceModel(
        category=category,
        maker=maker.strip(),
        reference=reference.strip(),
        name=name.strip(),
        unit_price=unit_price,
        warranty_months=warranty_months,
        is_active=is_active,
    )
    return create_audited(model, actor=actor, source=source)


@transaction.atomic
def update_model(
    *, actor, model: DeviceModel, values: dict, source: str = AuditSource.UI
) -> DeviceModel:
    """Changes the fields named in ``values``. A model that a category takes as its reference
    stays of that category."""
    _check(actor)
    new_category = values.get("category")
    if (
        new_category is not None
        and new_category.pk != model.category_id
        and Category.objects.filter(reference_model=model).exists()
    ):
        raise ValidationError(
            {
                "category": fr_typo(
                    "Ce modèle est le modèle de référence de sa catégorie : choisissez-en un "
                    "autre pour elle avant de le changer de catégorie."
                )
            }
        )
    return update_audited(model, values, actor=actor, source=source)


@transaction.atomic
def delete_model(*, actor, model: DeviceModel, source: str = AuditSource.UI) -> None:
    """Deletes a model that no kit, order or device names (retire it otherwise)."""
    _check(actor)
    try:
        with transaction.atomic():
            delete_audited(model, actor=actor, source=source)
    except ProtectedError as exc:
        raise ValidationError(
            fr_typo(
                "Ce modèle est nommé par un kit, une commande ou un matériel : retirez-le du "
                "catalogue (« au catalogue » décoché) au lieu de le supprimer."
            )
        ) from exc


@transaction.atomic
def set_reference_model(
    *, actor, category: Category, model: DeviceModel | None, source: str = AuditSource.UI
) -> Category:
    _check(actor)
    if model is not None and model.category_id != category.pk:
        raise ValidationError(
            {"reference_model": f"Le modèle {model} n'est pas de la catégorie {category}."}
        )
    return update_audited(category, {"reference_model": model}, actor=actor, source=source)


@transaction.atomic
def set_kit_item(
    *,
    actor,
    kit: KitTemplate,
    category: Category,
    quantity: int,
    model: DeviceModel | None = None,
    source: str = AuditSource.UI,
) -> KitItem:
    """The kit's line of ``category`` (one per category), added or changed: a model of that
    category, or none (priced at the category's reference model)."""
    _check(actor)
    if model is not None and model.category_id != category.pk:
        raise ValidationError({"model": f"Le modèle {model} n'est pas de la catégorie {category}."})
    item = KitItem.objects.filter(kit=kit, category=category).first()
    if item is None:
        item = KitItem(kit=kit, category=category, model=model, quantity=quantity)
        return create_audited(item, actor=actor, source=source)
    return update_audited(item, {"model": model, "quantity": quantity}, actor=actor, source=source)


@transaction.atomic
def remove_kit_item(*, actor, item: KitItem, source: str = AuditSource.UI) -> None:
    _check(actor)
    delete_audited(item, actor=actor, source=source)


@transaction.atomic
def update_kit(*, actor, kit: KitTemplate, values: dict, source: str = AuditSource.ADMIN):
    """The kit's name, description and whether it is offered (its code and measure stay)."""
    _check(actor)
    if {"code", "measure", "target"} & values.keys():
        raise ValidationError("Le code, la mesure et le destinataire d'un kit ne changent pas.")
    return update_audited(kit, values, actor=actor, source=source)
