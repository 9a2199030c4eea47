from django.contrib import admin

from .models import AuditEvent, AuditSource, Document, Job, Message, Signature


class ThroughServices:
    """Admin of a model written by services (the ``services`` of its app): an addition, a change, a
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


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Generated documents are kept as produced (their hash proves it): never changed here."""

    list_display = ["title", "kind", "sha256", "size", "pages", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["created_by"]
    search_fields = ["title", "=sha256"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Signatures are immutable: read only."""

    list_display = ["document", "signer", "capacity", "method", "signed_at"]
    list_filter = ["method"]
    list_select_related = ["document", "signer"]


# --- Notifications: the messages sent (read only; the sealed recipient never shown) -----------


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "kind",
        "recipient_masked",
        "status",
        "backend",
        "place_path",
    ]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["kind", "subject", "=place_school_id", "=object_id"]
    date_hierarchy = "created_at"
    exclude = ["recipient"]
