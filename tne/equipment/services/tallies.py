"""The per-school tallies of allocations (:class:`~tne.equipment.models.SchoolTally`), rebuilt
for the schools a change touched, inside the same transaction.

A tally counts the **units of the measures' targets**: the allocations to a class (M4's
« 2 700 classes », M5's 15 000) or to a teacher (M7's new teachers). A school's shared pack
(« socle école ») and a head's kit (« socle direction ») are bought with M4's envelope but are
no class: they are not counted, so the progress dashboards and the programme's counter of M4
count the same classes (the campaign pages and exports still list those allocations)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q

from tne.territory.models import School

from ..models import Allocation, SchoolTally

# The allocations a tally counts: to a class or to a teacher, not a school's or a head's kit.
COUNTED = Q(school_class__isnull=False) | Q(staff__isnull=False)


@transaction.atomic
def recount_schools(school_ids: Iterable[int] | None = None) -> int:
    """Recount the allocations of ``school_ids`` (every school when ``None``) per measure and
    step, those to a class or a teacher (:data:`COUNTED`). Returns the number of tally rows
    written."""
    allocations = Allocation.objects.filter(COUNTED)
    tallies = SchoolTally.objects.all()
    if school_ids is not None:
        school_ids = sorted(set(school_ids))
        if not school_ids:
            return 0
        # Two recounts of one school at once would both delete then insert: lock its row first.
        list(
            School.objects.select_for_update()
            .filter(pk__in=school_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        allocations = allocations.filter(school_id__in=school_ids)
        tallies = tallies.filter(school_id__in=school_ids)
    rows = (
        allocations.order_by()
        .values(
            "school_id",
            "measure_id",
            "status",
            departement_id=F("school__departement_id"),
            commune_id=F("school__commune_id"),
            circonscription_id=F("school__circonscription_id"),
        )
        .annotate(count=Count("pk"))
    )
    tallies.delete()
    created = SchoolTally.objects.bulk_create(
        [SchoolTally(**row) for row in rows if row["count"]], batch_size=5000
    )
    return len(created)
