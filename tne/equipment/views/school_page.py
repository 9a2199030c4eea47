"""A school's equipment: its classes of the current year with the kits allocated and their step,
its devices by class (from the register), its open incidents, and its socle audit if there is
one. ``equipment.view`` on the school (404 for a school outside the scope, 403 without the
permission). A fixed number of queries, whatever the size of the school or of the country."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tne.core.pages import breadcrumb
from tne.core.scope import scope_of
from tne.territory.models import School, SchoolClass, SchoolYear, class_order_key

from ..enums import AllocationStatus
from ..models import Allocation, Asset, ClassAudit, Incident, SchoolAudit
from ..perms import VIEW, can_sign_installation, can_view_equipment

AUDIT_FIELDS = (
    "has_display",
    "has_document_camera",
    "has_laptop",
    "has_internet",
    "has_camera",
    "has_audio",
)


@login_required
@require_GET
def school_equipment(request, school_id: int):
    user = request.user
    if not can_view_equipment(user):
        raise PermissionDenied("L'équipement des écoles est réservé aux agents de leur périmètre.")
    school = get_object_or_404(
        School.objects.filter(scope_of(user, VIEW).school_q()).select_related("commune"),
        pk=school_id,
    )
    year = SchoolYear.objects.current()
    classes = (
        sorted(SchoolClass.objects.filter(school=school, year=year), key=class_order_key)
        if year
        else []
    )
    allocations = list(
        Allocation.objects.filter(school=school)
        .exclude(status=AllocationStatus.CANCELLED)
        .select_related("kit", "campaign")
        .order_by("kit__name", "pk")
    )
    assets = list(
        Asset.objects.filter(school=school)
        .select_related("model__category")
        .order_by("model__category__order", "asset_tag")
    )
    open_incidents = Incident.objects.open().filter(asset__school=school).count()
    audit = SchoolAudit.objects.filter(school=school, year=year).first() if year else None
    class_audits = (
        {a.school_class_id: a for a in ClassAudit.objects.filter(audit=audit)} if audit else {}
    )
    by_class = {c.pk: {"class": c, "allocations": [], "assets": []} for c in classes}
    school_wide = {"allocations": [], "assets": []}
    for allocation in allocations:
        by_class.get(allocation.school_class_id, school_wide)["allocations"].append(allocation)
    for asset in assets:
        by_class.get(asset.school_class_id, school_wide)["assets"].append(asset)
    for entry in by_class.values():
        found = class_audits.get(entry["class"].pk)
        entry["audit"] = (
            None
            if found is None
            else [
                (ClassAudit._meta.get_field(name).verbose_name, getattr(found, name))
                for name in AUDIT_FIELDS
            ]
        )
    title = f"Équipement — {school.name}"
    context = {
        "title": title,
        "breadcrumb_data": breadcrumb(school.name, ("Équipement", reverse("equipment:index"))),
        "school": school,
        "year": year,
        "classes": list(by_class.values()),
        "school_wide": school_wide,
        "asset_count": len(assets),
        "open_incidents": open_incidents,
        "audit": audit,
        # The pages of the other areas of equipment about this school.
        "links": {
            "audit": reverse("equipment:audit_school", args=[school.pk]),
            "assets": f"{reverse('equipment:asset_list')}?ecole={school.pk}",
            "territory": reverse("territory:school_detail", args=[school.uai]),
            "sign": f"{reverse('equipment:signoff_list')}?todo=sign&q={school.uai}"
            if can_sign_installation(user, school)
            else "",
        },
    }
    return render(request, "equipment/campaigns/school.html", context)
