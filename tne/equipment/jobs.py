"""Equipment's background work: importing a delivery file confirmed on its preview page."""

from pathlib import Path

from tne.core.formats import plural
from tne.core.jobs import JobFailed, JobOrigin, job_handler
from tne.core.models import AuditSource
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of

from .perms import MANAGE_ASSETS, can_manage_assets

DELIVERY_JOB_KIND = "equipment.delivery_import"

DELIVERY_ORIGIN = JobOrigin(
    url_name="equipment:delivery_import",
    title="Importer un fichier de livraison",
    again="Importer un autre fichier de livraison",
)
DELIVERY_RESULT_LABELS = {
    "kind": "Type de fichier",
    "rows": "Lignes lues",
    "created": "Matériels entrés au registre (en stock)",
    "orders": "Commandes livrées",
    "tags_generated": "Numéros d'inventaire donnés par TNE",
    "order_ids": "Identifiants des commandes",
}
DELIVERY_RESULT_FORMATS = {
    "orders": lambda count: plural(count, "commande|commandes"),
    "order_ids": lambda ids: ", ".join(str(i) for i in ids),
}


@job_handler(
    DELIVERY_JOB_KIND,
    origin=DELIVERY_ORIGIN,
    result_labels=DELIVERY_RESULT_LABELS,
    result_formats=DELIVERY_RESULT_FORMATS,
)
def run_delivery_import(job, progress) -> dict:
    """``params``: ``{"path": str, "name": str}``. The scope is the creator's when the job runs
    (a right withdrawn since the preview refuses it); a refused file fails the job with its
    errors and is deleted."""
    from .services.deliveries import import_deliveries

    path = Path(job.params["path"])
    user = job.created_by
    try:
        if user is None or not can_manage_assets(user):
            raise JobFailed("Vous n'avez plus le droit de gérer le registre des matériels.")
        result = import_deliveries(
            table_or_path=path,
            label=job.params.get("name"),
            actor=user,
            job=job,
            scope=scope_of(user, MANAGE_ASSETS),
            source=AuditSource.IMPORT,
            progress=progress,
        )
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise JobFailed(exc.message) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return result.as_dict()


INVENTORY_JOB_KIND = "equipment.inventory_import"
INVENTORY_ORIGIN = JobOrigin(
    url_name="equipment:inventory_import",
    title="Importer un inventaire Snipe-IT ou GLPI",
    again="Importer un autre inventaire",
)
INVENTORY_RESULT_LABELS = {
    "kind": "Type de fichier",
    "rows": "Lignes lues",
    "created": "Matériels entrés au registre",
    "at_schools": "Dont dans un établissement",
    "new_models": "Modèles ajoutés au catalogue",
    "tags_generated": "Numéros d'inventaire donnés par TNE",
}


@job_handler(INVENTORY_JOB_KIND, origin=INVENTORY_ORIGIN, result_labels=INVENTORY_RESULT_LABELS)
def run_inventory_import(job, progress) -> dict:
    """``params``: ``{"path", "name", "node", "category"}`` (ids). The creator's scope when the
    job runs; a refused file fails the job with its errors and is deleted."""
    from tne.territory.models import TerritoryNode

    from .models import Category
    from .services.inventory import import_inventory

    path = Path(job.params["path"])
    user = job.created_by
    try:
        if user is None or not can_manage_assets(user):
            raise JobFailed("Vous n'avez plus le droit de gérer le registre des matériels.")
        category_id = job.params.get("category")
        result = import_inventory(
            table_or_path=path,
            label=job.params.get("name"),
            stock_node=TerritoryNode.objects.get(pk=job.params["node"]),
            category=Category.objects.get(pk=category_id) if category_id else None,
            actor=user,
            job=job,
            scope=scope_of(user, MANAGE_ASSETS),
            source=AuditSource.IMPORT,
            progress=progress,
        )
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise JobFailed(exc.message) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return result.as_dict()
