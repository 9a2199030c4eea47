from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q

from .models import School, SchoolClass, SchoolYear, Staff, TerritoryNode
from .services import refresh_school_figures


class RefreshesSchoolFigures:
    """Admin of a model counted in ``SchoolFigures`` (classes, staff): every save or deletion
    refreshes the figures of the school(s) it touched, the one it left included."""

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("school") if change else None
        super().save_model(request, obj, form, change)
        refresh_school_figures(school_ids={obj.school_id} | ({previous} if previous else set()))

    def delete_model(self, request, obj):
        school_id = obj.school_id
        super().delete_model(request, obj)
        refresh_school_figures(school_ids=[school_id])

    def delete_queryset(self, request, queryset):
        school_ids = set(queryset.values_list("school_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_school_figures(school_ids=school_ids)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Read-only: reference data comes from the importers, which write the audit trail."""

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
class SchoolYearAdmin(admin.ModelAdmin):
    """Where national steering pins the current year (« imposée comme année en cours »), or
    unpins it so that the current year follows the date again."""

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"is_pinned", "label"} & set(form.changed_data):
            refresh_school_figures()  # The figures count the classes of the current year.


@admin.register(SchoolClass)
class SchoolClassAdmin(RefreshesSchoolFigures, admin.ModelAdmin):
    list_display = ["name", "school", "year", "stage", "headcount", "is_synthetic"]
    list_filter = ["stage", "year", "is_synthetic"]
    list_select_related = ["school", "year"]
    search_fields = ["school__uai", "school__name", "name"]
    raw_id_fields = ["school"]


@admin.register(Staff)
class StaffAdmin(RefreshesSchoolFigures, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "role", "school", "is_new_teacher", "is_synthetic"]
    list_filter = ["role", "is_new_teacher", "is_synthetic"]
    list_select_related = ["school"]
    search_fields = ["last_name", "school__uai", "school__name"]
    raw_id_fields = ["school", "user"]
