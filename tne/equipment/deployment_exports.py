"""CSV and XLSX exports of the allocations a user reads, with French headers and the wording of
the pages, through the equipment's one writer (:mod:`.tabular_exports`)."""

from . import tabular_exports
from .tabular_exports import Column

FORMATS = tabular_exports.FORMATS

ALLOCATION_COLUMNS: list[Column] = [
    ("Campagne", lambda a: a.campaign.name, 36),
    ("Mesure", lambda a: a.measure.code, 8),
    ("Kit", lambda a: a.kit.name, 28),
    ("UAI", lambda a: a.school.uai, 10),
    ("École", lambda a: a.school.name, 30),
    ("Commune", lambda a: a.school.commune.name, 20),
    ("Classe", lambda a: a.school_class.name if a.school_class_id else "", 14),
    ("Étape", lambda a: a.get_status_display(), 12),
    ("Commande", lambda a: a.order.number if a.order_id else "", 18),
    ("Commandée le", lambda a: a.ordered_on, 12),
    ("Livrée le", lambda a: a.delivered_on, 12),
    ("Installée le", lambda a: a.installed_on, 12),
    ("En service le", lambda a: a.in_service_on, 12),
]


def allocations_response(rows, fmt: str, *, stem: str = "affectations"):
    """``rows``: a QuerySet of allocations ordered, with their relations selected."""
    return tabular_exports.response(
        rows.iterator(chunk_size=2000), ALLOCATION_COLUMNS, fmt, stem=stem, sheet="Affectations"
    )


__all__ = ["ALLOCATION_COLUMNS", "FORMATS", "allocations_response"]
