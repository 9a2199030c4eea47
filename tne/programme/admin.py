"""Administration of the programme. Periods are set here (by superusers: a period is part of the
programme's frame, like its measures); targets and envelopes are only read, since they are
written through the « Programme » pages and their services, which check authority and the
split of envelopes and write the audit trail."""

from django.contrib import admin

from .models import Envelope, Measure, Period, Target


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "order"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False  # The eight measures come from the data migration.

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "starts_on", "ends_on", "school_year"]
    list_filter = ["kind"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["measure", "node", "period", "count", "unit", "note"]
    list_filter = ["measure", "period", "unit"]
    list_select_related = ["measure", "node", "period"]


@admin.register(Envelope)
class EnvelopeAdmin(ReadOnlyAdmin):
    list_display = ["measure", "node", "period", "amount", "parent", "note"]
    list_filter = ["measure", "period"]
    list_select_related = ["measure", "node", "period", "parent__measure", "parent__node"]
