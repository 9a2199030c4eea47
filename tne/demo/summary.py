"""What ``tne demo`` prints: the counts of the demo territory and the table of demo logins."""

from django.db.models import Count, Q

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
