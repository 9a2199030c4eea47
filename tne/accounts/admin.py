import contextvars

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)

from tne.core.models import AuditSource

from .models import ApiToken, RoleAssignment, User
from .roles import grant_role, withdraw_role
from .users import delete_accounts, save_account


def _save_grant(request, assignment: RoleAssignment, *, user) -> None:
    """Save a grant edited in the admin through the audited services: a grant is never edited
    in place, the old one is withdrawn and the new one granted."""
    if assignment.pk:
        withdraw_role(
            assignment=RoleAssignment.objects.get(pk=assignment.pk),
            withdrawn_by=request.user,
            source=AuditSource.ADMIN,
        )
    grant_role(
        user=user,
        role=assignment.role,
        target=assignment.school or assignment.node,
        granted_by=request.user,
        source=AuditSource.ADMIN,
    )


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 1
    fields = ["role", "node", "school", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    autocomplete_fields = ["node", "school"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeFormTNE(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


# Who is changing a password in the admin: Django's password view saves the form itself.
_admin_actor = contextvars.ContextVar("admin_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, saved through ``save_account`` (audited, value not kept)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        if commit:
            save_account(user=user, actor=_admin_actor.get())
        return user


class SuperuserOnlyAdmin:
    """Accounts and roles decide who sees what: only superusers manage them, so a staff member
    cannot make themselves national steering."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(User)
class UserAdmin(SuperuserOnlyAdmin, DjangoUserAdmin):
    """Accounts and their roles. Roles are written through ``grant_role``/``withdraw_role`` so each
    grant lands in the audit trail."""

    form = UserChangeFormTNE
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "role_assignments__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Accès", {"fields": ["is_active", "is_staff", "is_superuser", "external_id"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    change_password_form = AuditedPasswordChangeForm

    def user_change_password(self, request, id, form_url=""):
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request, obj, form, change):
        save_account(user=obj, actor=request.user)

    def delete_model(self, request, obj):
        delete_accounts(users=[obj], actor=request.user)

    def delete_queryset(self, request, queryset):
        delete_accounts(users=list(queryset), actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        assignments = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            withdraw_role(
                assignment=assignment, withdrawn_by=request.user, source=AuditSource.ADMIN
            )
        for assignment in assignments:
            _save_grant(request, assignment, user=form.instance)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "role", "node", "school", "granted_at", "granted_by"]
    list_filter = ["role", "node__kind"]
    search_fields = ["user__email", "node__name", "school__name", "school__uai"]
    list_select_related = ["user", "node", "school", "granted_by"]
    autocomplete_fields = ["user", "node", "school"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):
        _save_grant(request, obj, user=obj.user)

    def delete_model(self, request, obj):
        withdraw_role(assignment=obj, withdrawn_by=request.user, source=AuditSource.ADMIN)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user", "node", "school"):
            self.delete_model(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # A token is created by its owner, who alone sees its value.

    def has_change_permission(self, request, obj=None):
        return False  # Revoked by its owner (« Mes jetons »), audited; the admin only reads.

    def has_delete_permission(self, request, obj=None):
        return False
