from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q

from tne.core.models import AuditSource

from . import services
from .models import School, SchoolClass, SchoolYear, Staff, TerritoryNode


class ThroughServices:
    """Admin of a model written by services (``territory.services``): an addition, a change, a
    deletion and a bulk deletion each go through the service, which validates, writes the audit
    event and refreshes the figures of the schools concerned. A subclass names its services:
    ``create(**fields)``, ``update(<arg>=obj, values=…)``, ``delete(<arg>=obj)``."""

    service_arg: str
    create = update = delete = None

    def _by(self, request) -> dict:
        return {"actor": request.user, "source": AuditSource.ADMIN}

    def save_model(self, request, obj, form, change):
        if change:
            current = type(obj)._default_manager.get(pk=obj.pk)
            values = {name: form.cleaned_data[name] for name in form.changed_data}
            type(self).update(**{self.service_arg: current}, values=values, **self._by(request))
            return
        fields = {f.name for f in obj._meta.concrete_fields}
        values = {k: v for k, v in form.cleaned_data.items() if k in fields}
        created = type(self).create(**values, **self._by(request))
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db

    def delete_model(self, request, obj):
        type(self).delete(**{self.service_arg: obj}, **self._by(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


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
