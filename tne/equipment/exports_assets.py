"""CSV and XLSX exports of the asset register, as filtered on the list, and of its incidents:
streamed row by row from the database (a national export of 1,000,000 devices never sits in
memory as objects), through the equipment's one writer (:mod:`.tabular_exports`)."""

from collections.abc import Iterable

from django.utils import timezone

from . import tabular_exports
from .models import Incident

FORMATS = tabular_exports.FORMATS
CHUNK = 2000

COLUMNS = [
    ("Numéro d'inventaire", lambda a: a.asset_tag, 16),
    ("Numéro de série", lambda a: a.serial_number, 20),
    ("Catégorie", lambda a: a.model.category.name, 20),
    ("Fabricant", lambda a: a.model.maker, 16),
    ("Modèle", lambda a: a.model.name, 30),
    ("Référence", lambda a: a.model.reference, 16),
    ("État", lambda a: a.get_state_display(), 14),
    ("UAI", lambda a: a.school.uai if a.school_id else "", 10),
    ("École", lambda a: a.school.name if a.school_id else "", 30),
    ("Classe", lambda a: a.school_class.name if a.school_class_id else "", 16),
    ("Stock", lambda a: a.stock_node.name if a.stock_node_id and not a.school_id else "", 16),
    ("Commande", lambda a: a.order_line.order.number if a.order_line_id else "", 16),
    ("Livré le", lambda a: a.delivered_on, 12),
    ("Fin de garantie", lambda a: a.warranty_ends_on, 14),
    ("Origine", lambda a: a.get_source_display(), 18),
]


# The incidents as their list shows them, with their description (no person's name).
INCIDENT_COLUMNS = [
    ("Signalé le", lambda i: timezone.localdate(i.reported_at), 12),
    ("Nature", lambda i: i.get_kind_display(), 12),
    ("Suivi", lambda i: i.get_status_display(), 14),
    ("Numéro d'inventaire", lambda i: i.asset.asset_tag, 16),
    ("Numéro de série", lambda i: i.asset.serial_number, 20),
    ("Modèle", lambda i: i.asset.model.name, 30),
    ("UAI", lambda i: i.asset.school.uai if i.asset.school_id else "", 10),
    ("École", lambda i: i.asset.school.name if i.asset.school_id else "Stock", 30),
    ("Description", lambda i: i.description, 40),
    ("Remplacé par", lambda i: i.replacement.asset_tag if i.replacement_id else "", 16),
    ("Clos le", lambda i: timezone.localdate(i.resolved_at) if i.resolved_at else "", 12),
]


def assets_response(rows, fmt: str):
    """``rows``: a QuerySet ordered and with its relations selected."""
    return tabular_exports.response(
        rows.iterator(chunk_size=CHUNK), COLUMNS, fmt, stem="materiels", sheet="Matériels"
    )


def incidents_response(rows: "Iterable[Incident]", fmt: str):
    """``rows``: a QuerySet of incidents ordered, with their devices selected."""
    return tabular_exports.response(
        rows.iterator(chunk_size=CHUNK), INCIDENT_COLUMNS, fmt, stem="incidents", sheet="Incidents"
    )
