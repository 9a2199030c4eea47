"""Administration of the loans: every model is read only here. Pupils, declarations, rules,
runs and loans are written by their services, which check the permissions per grant, keep the
database's rules and write the audit trail; a guardian's contact shows its two flags, never its
token (nor, a fortiori, its values)."""

from django.apps import apps
from django.contrib import admin

from tne.core.admin import ReadOnlyAdmin

from .models import (
    AllocationRun,
    FamilyLink,
    GuardianContact,
    Loan,
    NeedDeclaration,
    PriorityWeights,
    Pupil,
    RunDecision,
    SchoolLoanTally,
    SchoolQuota,
)


@admin.register(Pupil)
class PupilAdmin(ReadOnlyAdmin):
    list_display = ["code", "school", "school_class", "level", "created_at"]
    list_filter = ["level"]
    list_select_related = ["school", "school_class"]
    search_fields = ["=code", "school__uai"]
    raw_id_fields = ["school", "school_class"]


@admin.register(NeedDeclaration)
class NeedDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "devices_at_home", "shared_with", "internet_at_home", "declared_on"]
    list_filter = ["devices_at_home", "internet_at_home"]
    list_select_related = ["pupil"]
    raw_id_fields = ["pupil", "declared_by"]


@admin.register(GuardianContact)
class GuardianContactAdmin(ReadOnlyAdmin):
    """The flags only: the sealed token is neither listed nor shown."""

    list_display = ["pupil", "has_phone", "has_email", "created_at", "updated_at"]
    list_select_related = ["pupil"]
    fields = ["pupil", "has_phone", "has_email", "created_at", "updated_at"]
    readonly_fields = fields
    raw_id_fields = ["pupil"]


@admin.register(FamilyLink)
class FamilyLinkAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "user", "created_at"]
    list_select_related = ["pupil", "user"]
    raw_id_fields = ["pupil", "user", "created_by"]


@admin.register(PriorityWeights)
class PriorityWeightsAdmin(ReadOnlyAdmin):
    list_display = ["node", "no_device", "no_internet", "rep_plus", "updated_at"]
    list_select_related = ["node"]


@admin.register(SchoolQuota)
class SchoolQuotaAdmin(ReadOnlyAdmin):
    list_display = ["school", "minimum", "maximum", "updated_at"]
    list_select_related = ["school"]
    search_fields = ["school__uai"]
    raw_id_fields = ["school"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "node", "category", "status", "served", "created_at"]
    list_filter = ["status"]
    list_select_related = ["node", "category"]


@admin.register(RunDecision)
class RunDecisionAdmin(ReadOnlyAdmin):
    list_display = ["run", "pupil", "priority", "rank", "served", "reason"]
    list_filter = ["served", "reason"]
    list_select_related = ["run", "pupil"]
    raw_id_fields = ["run", "pupil", "school"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "pupil", "category", "asset", "status", "due_on"]
    list_filter = ["status", "outcome"]
    list_select_related = ["pupil", "category", "asset"]
    raw_id_fields = ["pupil", "school", "asset", "run", "agreement", "return_receipt"]


@admin.register(SchoolLoanTally)
class SchoolLoanTallyAdmin(ReadOnlyAdmin):
    list_display = ["school", "needs", "served", "equipped", "active", "lost", "updated_at"]
    list_select_related = ["school"]
    raw_id_fields = ["school"]


# Every other model of the app (those another area adds) is read only here too, until it is
# given its own admin above.
for _model in apps.get_app_config("loans").get_models():
    if not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyAdmin)
