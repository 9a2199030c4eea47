from django.contrib import admin

from .models import AuditEvent, Job


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "source", "action", "content_type", "object_repr", "place_path"]
    list_filter = ["source", "action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "object_id", "actor__email", "=place_school_id"]
    date_hierarchy = "at"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
