"""CSV and XLSX exports of the socle overview (one row per school, in the page's order) and of
a plan (one row per funded class or kit, then per unfunded one, with its reason), through the
equipment's one writer (:mod:`.tabular_exports`: amounts in euros, the IPS as a number)."""

from collections.abc import Iterator

from . import tabular_exports
from .plan import Plan
from .socle import OverviewRow
from .tabular_exports import Column


def _yes_no(value) -> str:
    if value is None:
        return "non audité"
    return "oui" if value else "non"


OVERVIEW_COLUMNS: list[Column] = [
    ("Rang", lambda r: r.rank, 6),
    ("UAI", lambda r: r.school.uai, 10),
    ("École", lambda r: r.school.name, 36),
    ("Commune", lambda r: r.school.commune.name, 20),
    (
        "Circonscription",
        lambda r: r.school.circonscription.name if r.school.circonscription_id else "",
        20,
    ),
    ("Département", lambda r: r.school.departement.name, 16),
    ("Éducation prioritaire", lambda r: r.school.get_education_network_display(), 14),
    ("IPS", lambda r: r.ips, 8, "0.0"),
    ("Classes", lambda r: r.figures.classes, 8),
    ("Classes auditées", lambda r: r.figures.audited, 8),
    ("Classes sous le socle", lambda r: r.figures.below, 8),
    ("Éléments manquants", lambda r: r.figures.items, 8),
    ("Coût pour les classes (€)", lambda r: r.figures.cost, 14),
    ("Classes non chiffrées", lambda r: "oui" if r.figures.unpriced_criteria else "non", 8),
    (
        "Lot mutualisé manquant",
        lambda r: _yes_no(None if r.figures.side is None else r.figures.side.needs_pack),
        10,
    ),
    (
        "Équipement de direction manquant",
        lambda r: (
            "non audité"
            if r.figures.side is None
            else ", ".join(c.label for c in r.figures.side.head_missing)
        ),
        30,
    ),
    ("Coût école et direction (€)", lambda r: r.figures.side_cost, 14),
]


def _response(items, columns: list[Column], fmt: str, stem: str, sheet_name: str):
    return tabular_exports.response(items, columns, fmt, stem=stem, sheet=sheet_name)


def overview_response(rows: list[OverviewRow], fmt: str, *, with_ips: bool):
    columns = [c for c in OVERVIEW_COLUMNS if with_ips or c[0] != "IPS"]
    return _response(rows, columns, fmt, "audit-socle", "Audit du socle")


# --- The plan ------------------------------------------------------------------------------

PLAN_COLUMNS: list[Column] = [
    ("Décision", lambda r: r["decision"], 12),
    ("Rang", lambda r: r["rank"], 6),
    ("UAI", lambda r: r["school"].uai, 10),
    ("École", lambda r: r["school"].name, 36),
    ("Objet", lambda r: r["what"], 30),
    ("Éléments", lambda r: r["items"], 50),
    ("Coût (€)", lambda r: r["cost"], 14),
    ("Motif", lambda r: r["reason"], 40),
]


def plan_rows(plan: Plan) -> Iterator[dict]:
    names = plan.category_names
    for c in plan.classes:
        yield {
            "decision": "Financé",
            "rank": c.rank + 1,
            "school": c.school,
            "what": f"Classe {c.gap.name}",
            "items": ", ".join(names.get(code, code) for code in c.gap.items),
            "cost": c.gap.cost,
            "reason": "",
        }
    for k in plan.kits:
        yield {
            "decision": "Financé",
            "rank": "",
            "school": k.school,
            "what": k.label,
            "items": ", ".join(names.get(code, code) for code in k.items),
            "cost": k.cost,
            "reason": "",
        }
    for u in plan.unfunded:
        yield {
            "decision": "Non financé",
            "rank": "",
            "school": u.school,
            "what": f"Classe {u.what}" if u.school_class_id else u.what,
            "items": "",
            "cost": u.cost,
            "reason": u.reason,
        }


def plan_response(plan: Plan, fmt: str):
    stem = f"plan-socle-{plan.node.code}"
    return _response(plan_rows(plan), PLAN_COLUMNS, fmt, stem, "Plan du socle")
