"""Administration of equipment. The catalogue's models and the suppliers are written here by
superusers through the audited services; everything else (categories and kits from the data
migration and the catalogue pages, audits, campaigns, allocations and their sign-offs, assets
and their history, orders and invoices) is only read here, since their pages and services check
authority, keep the ledger and the tallies right and write the audit trail."""

from django.contrib import admin

from tne.core.admin import ReadOnlyAdmin, ThroughServices

from .models import (
    Allocation,
    Asset,
    AssetEvent,
    Campaign,
    Category,
    ClassAudit,
    DeviceModel,
    Incident,
    Invoice,
    KitItem,
    KitTemplate,
    Order,
    OrderLine,
    SchoolAudit,
    SchoolTally,
    Signoff,
    Supplier,
)
from .services import catalogue as catalogue_services
from .services import orders as order_services


@admin.register(DeviceModel)
class DeviceModelAdmin(ThroughServices, admin.ModelAdmin):
    service_arg = "model"
    create = catalogue_services.create_model
    update = catalogue_services.update_model
    delete = catalogue_services.delete_model
    list_display = ["reference", "maker", "name", "category", "unit_price", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["category"]
    search_fields = ["reference", "maker", "name"]


@admin.register(Supplier)
class SupplierAdmin(ThroughServices, admin.ModelAdmin):
    service_arg = "supplier"
    create = order_services.supplier_create
    update = order_services.supplier_update
    delete = order_services.supplier_delete
    list_display = ["name", "siret"]
    search_fields = ["name", "siret"]


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "order", "reference_model"]
    list_select_related = ["reference_model"]


class KitItemInline(admin.TabularInline):
    model = KitItem
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KitTemplate)
class KitTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "measure", "target", "is_active"]
    list_filter = ["measure", "target"]
    list_select_related = ["measure"]
    inlines = [KitItemInline]


@admin.register(KitItem)
class KitItemAdmin(ReadOnlyAdmin):
    list_display = ["kit", "category", "model", "quantity"]
    list_select_related = ["kit", "category", "model"]


@admin.register(SchoolAudit)
class SchoolAuditAdmin(ReadOnlyAdmin):
    list_display = ["school", "year", "source", "updated_at"]
    list_select_related = ["school"]
    search_fields = ["school__uai", "school__name"]


@admin.register(ClassAudit)
class ClassAuditAdmin(ReadOnlyAdmin):
    list_display = ["school_class", "has_display", "has_laptop", "has_internet"]
    list_select_related = ["school_class"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "measure", "kit", "node", "created_at"]
    list_filter = ["measure"]
    list_select_related = ["measure", "kit", "node"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campaign", "school", "school_class", "status"]
    list_filter = ["status", "measure"]
    list_select_related = ["campaign", "school", "school_class"]
    search_fields = ["school__uai"]
    raw_id_fields = ["school", "school_class", "staff", "order", "campaign"]


@admin.register(Signoff)
class SignoffAdmin(ReadOnlyAdmin):
    list_display = ["pk", "allocation", "party", "decision"]
    list_filter = ["party", "decision"]


@admin.register(SchoolTally)
class SchoolTallyAdmin(ReadOnlyAdmin):
    list_display = ["school", "measure", "status", "count"]
    list_filter = ["measure", "status"]
    list_select_related = ["school", "measure"]


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ["asset_tag", "serial_number", "model", "state"]
    list_filter = ["state"]
    list_select_related = ["model"]
    search_fields = ["=serial_number", "=asset_tag"]


@admin.register(AssetEvent)
class AssetEventAdmin(ReadOnlyAdmin):
    list_display = ["asset", "kind", "at"]
    list_filter = ["kind"]
    list_select_related = ["asset"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["asset", "kind", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["asset"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["model", "quantity", "unit_price", "delivered"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "envelope", "status", "total", "ordered_on"]
    list_filter = ["status"]
    list_select_related = ["supplier", "envelope__measure", "envelope__node"]
    search_fields = ["number"]
    inlines = [OrderLineInline]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "issued_on", "amount"]
    list_select_related = ["order"]
    search_fields = ["number", "order__number"]
