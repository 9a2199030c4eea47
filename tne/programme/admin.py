"""Administration of the programme. Periods are set here by superusers (a period is part of the
programme's frame), through audited services; the measures come from a data migration; targets
and envelopes are only read, since they are written through the « Programme » pages and their
services, which check authority and the split of envelopes and write the audit trail."""

from django.contrib import admin

from tne.core.admin import ReadOnlyAdmin, ThroughServices

from . import services
from .models import Envelope, Measure, Period, Target


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    """The eight measures and their texts come from the data migration."""

    list_display = ["code", "title", "order"]


@admin.register(Period)
class PeriodAdmin(ThroughServices, admin.ModelAdmin):
    service_arg = "period"
    create = services.period_create
    update = services.period_update
    delete = services.period_delete
    list_display = ["label", "kind", "starts_on", "ends_on", "school_year"]
    list_filter = ["kind"]


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
