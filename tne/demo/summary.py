"""What ``tne demo`` prints: the counts of the demo territory and the table of demo logins."""

from django.db.models import Count, Q

from tne.core.formats import euros, fr_number
from tne.territory.enums import NodeKind, SchoolKind, StaffRole, Stage
from tne.territory.models import School, SchoolClass, Staff, TerritoryNode

from .accounts import Login

HEADERS = ("Rôle", "Adresse électronique", "Mot de passe", "Périmètre")


def demo_counts() -> dict[str, int]:
    schools = School.objects.filter(departement__is_pilot=True).aggregate(
        ecoles=Count("pk", filter=Q(kind__in=SchoolKind.first_degree())),
        colleges=Count("pk", filter=Q(kind=SchoolKind.COLLEGE)),
        lycees=Count("pk", filter=Q(kind__in=SchoolKind.lycees())),
    )
    classes = (
        SchoolClass.objects.current()
        .filter(school__departement__is_pilot=True)
        .aggregate(classes=Count("pk"), elementary=Count("pk", filter=Q(stage=Stage.ELEMENTARY)))
    )
    staff = Staff.objects.filter(
        role=StaffRole.TEACHER, school__departement__is_pilot=True
    ).aggregate(teachers=Count("pk"), new_teachers=Count("pk", filter=Q(is_new_teacher=True)))
    circonscriptions = TerritoryNode.objects.filter(
        kind=NodeKind.CIRCONSCRIPTION, parent__is_pilot=True
    ).count()
    return {**schools, **classes, **staff, "circonscriptions": circonscriptions}


def logins_table(logins: list[Login]) -> str:
    rows = [HEADERS, *((x.role, x.email, x.password, x.scope) for x in logins)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def equipment_line(equipment) -> str:
    """One sentence on the demo's equipment, empty when this run wrote none."""
    if not equipment.written:
        return ""
    return (
        f"Équipement (synthétique) : {equipment.allocations} affectations de kits, "
        f"{equipment.orders} commandes dans les enveloppes, {equipment.assets} matériels, "
        f"{equipment.signoffs} validations d'installation signées."
    )


REASONS = {
    "budget": "budget atteint",
    "stock": "stock épuisé",
    "departement_cap": "plafond du département",
    "school_max": "maximum de l'école",
}


def loans_line(loans) -> str:
    """One sentence on the demo's loans, empty when this run wrote none."""
    if not loans.written:
        return ""
    n = fr_number
    stages = loans.by_stage
    unserved = ", ".join(
        f"{n(count)} {REASONS.get(reason, reason)}"
        for reason, count in sorted(loans.unserved_by_reason.items(), key=lambda x: -x[1])
    )
    closed = sum(stages.get(k, 0) for k in ("lost", "stolen", "damaged"))
    return (
        f"Prêts (synthétiques) : {n(loans.pupils)} besoins déclarés ; attribution de "
        f"{n(loans.served)} élèves sur {n(loans.candidates)} dans {euros(loans.budget)}"
        + (f" (non servis : {unserved})" if unserved else "")
        + f" ; {n(loans.loans)} prêts, dont {n(stages.get('active', 0))} en cours "
        f"({n(loans.overdue)} en retard), {n(stages.get('offered', 0))} proposés, "
        f"{n(stages.get('accepted', 0))} acceptés, {n(stages.get('declined', 0))} déclinés, "
        f"{n(stages.get('returned', 0))} rendus, {n(closed)} perdus, volés ou hors d'usage, "
        f"{n(loans.relent)} proposés à l'élève suivant ; {n(loans.devices)} matériels livrés "
        f"({n(loans.orders)} commandes M6), {n(loans.documents)} documents signés, "
        f"{n(loans.reminders)} relances envoyées."
    )
