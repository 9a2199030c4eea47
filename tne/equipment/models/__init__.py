"""The equipment of measures M4, M5 and M7, one module per entity."""

from .assets import Asset, AssetEvent, Incident
from .audits import ClassAudit, SchoolAudit, SocleAuditSource
from .catalogue import Category, DeviceModel, KitItem, KitTemplate
from .deployments import Allocation, Campaign, SchoolTally, Signoff
from .handovers import Handover, HandoverKind
from .orders import Invoice, Order, OrderLine, Supplier

__all__ = [
    "Allocation",
    "Asset",
    "AssetEvent",
    "Campaign",
    "Category",
    "ClassAudit",
    "DeviceModel",
    "Handover",
    "HandoverKind",
    "Incident",
    "Invoice",
    "KitItem",
    "KitTemplate",
    "Order",
    "OrderLine",
    "SchoolAudit",
    "SchoolTally",
    "Signoff",
    "SocleAuditSource",
    "Supplier",
]
