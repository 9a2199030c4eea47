from django.contrib import admin

from .models import School, SchoolClass, SchoolYear, Staff, TerritoryNode


@admin.register(TerritoryNode)
class TerritoryNodeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "path", "is_pilot"]
    list_filter = ["kind", "is_pilot"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]

    def has_change_permission(self, request, obj=None):
        return False  # Reference data: it comes from the importers.


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "kind", "sector", "education_network", "ips", "departement"]
    list_filter = ["kind", "sector", "education_network"]
    list_select_related = ["departement"]
    search_fields = ["uai", "name"]
    raw_id_fields = ["region", "academie", "departement", "commune", "circonscription", "owner"]

    def has_change_permission(self, request, obj=None):
        return False  # Reference data: it comes from the importers.


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["label", "starts_on", "ends_on", "is_current"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "year", "stage", "headcount", "is_synthetic"]
    list_filter = ["stage", "year", "is_synthetic"]
    list_select_related = ["school", "year"]
    search_fields = ["school__uai", "school__name", "name"]
    raw_id_fields = ["school"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "role", "school", "is_new_teacher", "is_synthetic"]
    list_filter = ["role", "is_new_teacher", "is_synthetic"]
    list_select_related = ["school"]
    search_fields = ["last_name", "school__uai", "school__name"]
    raw_id_fields = ["school", "user"]
