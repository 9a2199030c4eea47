from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q

from tne.core.admin import ThroughServices

from . import services
from .models import School, SchoolClass, SchoolYear, Staff, TerritoryNode


class ReferenceDataAdmin(admin.ModelAdmin):
    """Read-only: reference data comes from the importers, which write the audit trail."""

    def has_add_permission(self, request):
        return False  # A node or a school comes from an import (its path, its links).

    def has_change_permission(self, request, obj=None):
        return False  # Reference data: it comes from the importers.

    def has_delete_permission(self, request, obj=None):
        return False  # A delete would cascade to classes, staff and roles with no audit trail.


@admin.register(TerritoryNode)
class TerritoryNodeAdmin(ReferenceDataAdmin):
    list_display = ["name", "kind", "code", "path", "is_pilot"]
    list_filter = ["kind", "is_pilot"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]


@admin.register(School)
class SchoolAdmin(ReferenceDataAdmin):
    list_display = ["uai", "name", "kind", "sector", "education_network", "ips", "departement"]
    list_filter = ["kind", "sector", "education_network"]
    list_select_related = ["departement"]
    search_fields = ["uai", "name"]
    raw_id_fields = ["region", "academie", "departement", "commune", "circonscription", "owner"]


@admin.register(SchoolYear)
class SchoolYearAdmin(ThroughServices, admin.ModelAdmin):
    """Where national steering pins the current year (« imposée comme année en cours »), or
    unpins it so that the current year follows the date again (the services refresh the
    figures)."""

    service_arg = "year"
    create = services.school_year_create
    update = services.school_year_update
    delete = services.school_year_delete

    list_display = ["label", "starts_on", "ends_on", "is_pinned", "is_current"]

    @admin.display(boolean=True, description="année en cours")
    def is_current(self, obj):
        return obj.is_current_year

    def get_queryset(self, request):
        current = Q(pk=SchoolYear.objects.current_pk())
        return (
            super()
            .get_queryset(request)
            .annotate(is_current_year=ExpressionWrapper(current, output_field=BooleanField()))
        )


@admin.register(SchoolClass)
class SchoolClassAdmin(ThroughServices, admin.ModelAdmin):
    service_arg = "school_class"
    create = services.class_create
    update = services.class_update
    delete = services.class_delete
    list_display = ["name", "school", "year", "stage", "headcount", "is_synthetic"]
    list_filter = ["stage", "year", "is_synthetic"]
    list_select_related = ["school", "year"]
    search_fields = ["school__uai", "school__name", "name"]
    raw_id_fields = ["school"]


@admin.register(Staff)
class StaffAdmin(ThroughServices, admin.ModelAdmin):
    service_arg = "staff"
    create = services.staff_create
    update = services.staff_update
    delete = services.staff_delete
    list_display = ["last_name", "first_name", "role", "school", "is_new_teacher", "is_synthetic"]
    list_filter = ["role", "is_new_teacher", "is_synthetic"]
    list_select_related = ["school"]
    search_fields = ["last_name", "school__uai", "school__name"]
    raw_id_fields = ["school", "user"]
