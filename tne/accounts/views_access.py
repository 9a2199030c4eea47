"""The « Accès » pages: who has which role in the manager's territory, granting a role (creating
the account if needed), withdrawing one (confirmed), and the page where a new person chooses their
password. Only access managers reach them (403 otherwise); an assignment outside the manager's
scope is a 404."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.exports import csv_response
from tne.core.pages import breadcrumb, paginate
from tne.core.rowerrors import ImportFileError

from .access import (
    assignments_visible_to,
    can_manage_access,
    can_withdraw,
    filtered_assignments,
    grant_access,
    password_set_tokens,
    withdraw_access,
    withdraw_refusal,
)
from .enums import SCHOOL_ROLES
from .forms import ThrottledPasswordResetForm
from .forms_access import (
    AccessFilterForm,
    AccessGrantForm,
    InviteFileForm,
    PasswordResetSetForm,
    PasswordSetForm,
    add_model_errors,
    matching_nodes,
    matching_schools,
)
from .invitations import COLUMNS, EXAMPLE_ROWS, invite_from_file
from .models import RoleAssignment

LIST_TITLE = "Accès"


def _require_manager(request) -> None:
    if not can_manage_access(request.user):
        raise PermissionDenied("Seuls le pilotage national et la coordination gèrent les accès.")


def _section() -> tuple[str, str]:
    """The breadcrumb link to the list, above every other « Accès » page."""
    return (LIST_TITLE, reverse("accounts:access_list"))


def _filter_form(request) -> AccessFilterForm:
    form = AccessFilterForm(request.GET, manager=request.user)
    if form.out_of_scope:
        raise Http404("Ce département ne fait pas partie de votre périmètre.")
    return form


@require_GET
def access_list(request):
    _require_manager(request)
    form = _filter_form(request)
    rows = filtered_assignments(request.user, **form.filters())
    page = paginate(request, rows)
    for assignment in page:
        assignment.can_withdraw = can_withdraw(request.user, assignment)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": LIST_TITLE,
        "form": form,
        "page_obj": page,
        "export_query": query.urlencode(),
        "breadcrumb_data": breadcrumb(LIST_TITLE),
    }
    template = "accounts/access/list.html"
    if request.htmx and request.htmx.target == "access-results":
        template += "#results"
    return render(request, template, context)


CSV_HEADERS = ["Adresse électronique", "Prénom", "Nom", "Rôle", "Périmètre", "Attribué par", "Le"]


def _csv_rows(assignments) -> Iterator[list[object]]:
    for a in assignments.iterator(chunk_size=2000):
        yield [
            a.user.email,
            a.user.first_name,
            a.user.last_name,
            a.get_role_display(),
            str(a.target),
            a.granted_by.email if a.granted_by else "",
            timezone.localtime(a.granted_at).strftime("%d/%m/%Y %H:%M"),
        ]


@require_GET
def access_export(request):
    """The filtered list, all pages, in CSV for a spreadsheet (same scope, same filters)."""
    _require_manager(request)
    form = _filter_form(request)
    rows = filtered_assignments(request.user, **form.filters())
    filename = f"acces-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(CSV_HEADERS, _csv_rows(rows), filename=filename)


def _grant(request, form: AccessGrantForm):
    """Grant what the valid form asks (a person without a password gets the link to choose one
    by e-mail)."""
    cleaned = form.cleaned_data
    try:
        outcome = grant_access(
            manager=request.user,
            site_url=request.build_absolute_uri("/"),
            email=cleaned["email"],
            first_name=cleaned["first_name"],
            last_name=cleaned["last_name"],
            role=cleaned["role"],
            target=form.target,
        )
    except ValidationError as error:
        add_model_errors(form, error)
        return None
    person = outcome.assignment.user
    title = "Rôle déjà attribué" if outcome.already_granted else "Rôle attribué"
    context = {
        "title": title,
        "outcome": outcome,
        "assignment": outcome.assignment,
        "person": person,
        "breadcrumb_data": breadcrumb(title, _section()),
    }
    return render(request, "accounts/access/grant_done.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def access_grant(request):
    _require_manager(request)
    if request.method == "POST" and request.POST.get("filter") == "node":
        # « Filtrer la liste » (without JavaScript): the same form, territories found by the
        # search field only, nothing granted.
        form = AccessGrantForm(
            manager=request.user,
            role_hint=request.POST.get("role", ""),
            node_query=request.POST.get("node_q", ""),
        )
        for name in ("email", "first_name", "last_name", "role", "uai"):
            form.initial[name] = request.POST.get(name, "")[:254]
    elif request.method == "POST":
        form = AccessGrantForm(request.POST, manager=request.user)
        if form.is_valid():
            response = _grant(request, form)
            if response is not None:
                return response
    else:
        form = AccessGrantForm(manager=request.user, role_hint=request.GET.get("role", ""))
    role = form["role"].value() or ""
    title = "Attribuer un rôle"
    context = {
        "title": title,
        "form": form,
        "show_node": role not in SCHOOL_ROLES,
        "show_uai": not role or role in SCHOOL_ROLES,
        "node_query": request.POST.get("node_q", "")[:100],
        "breadcrumb_data": breadcrumb(title, _section()),
    }
    template = "accounts/access/grant.html"
    if request.htmx and request.htmx.target == "grant-target":
        template += "#target"
    return render(request, template, context)


@require_GET
def access_target_options(request, what: str):
    """The options of the « Territoire » and « Établissement » searches of the grant form (htmx):
    the territories (``node_q``, fitting ``role``) or the schools (``school_q``, by name or UAI)
    of the manager's authority, a few at a time."""
    _require_manager(request)
    if what == "territoires":
        options = matching_nodes(
            request.user, request.GET.get("node_q", "")[:100], request.GET.get("role", "")
        )
    elif what == "etablissements":
        options = matching_schools(request.user, request.GET.get("school_q", "")[:100])
    else:
        raise Http404("Recherche inconnue.")
    context = {"options": options, "prefix": what}
    return render(request, "accounts/access/target_options.html", context)


INVITE_TITLE = "Inviter depuis un fichier"


@require_GET
def access_invite_template(request):
    """The file to fill: its columns and two example lines."""
    _require_manager(request)
    return csv_response(list(COLUMNS), EXAMPLE_ROWS, filename="modele-invitations.csv")


@require_http_methods(["GET", "POST"])
def access_invite(request):
    """Grant the roles of a CSV file, all of them or none: a summary, or the errors by line."""
    _require_manager(request)
    form = InviteFileForm(request.POST or None, request.FILES or None)
    summary, errors = None, []
    if request.method == "POST" and form.is_valid():
        try:
            summary = invite_from_file(
                form.cleaned_data["file"],
                manager=request.user,
                site_url=request.build_absolute_uri("/"),
            )
        except ImportFileError as exc:
            errors = exc.errors
    context = {
        "title": INVITE_TITLE,
        "form": form,
        "summary": summary,
        "errors": errors,
        "columns": COLUMNS,
        "breadcrumb_data": breadcrumb(INVITE_TITLE, _section()),
    }
    return render(request, "accounts/access/invite.html", context)


@require_http_methods(["GET", "POST"])
def access_withdraw(request, assignment_id: int):
    """Shows what will be withdrawn (GET), then withdraws it (POST)."""
    _require_manager(request)
    assignment = get_object_or_404(
        assignments_visible_to(request.user).select_related("user", "node", "school"),
        pk=assignment_id,
    )
    if not can_withdraw(request.user, assignment):
        raise PermissionDenied("Seul le pilotage national retire ce rôle.")
    refusal = withdraw_refusal(request.user, assignment)
    if request.method == "POST" and not refusal:
        try:
            withdraw_access(manager=request.user, assignment=assignment)
        except RoleAssignment.DoesNotExist:
            raise Http404("Ce rôle vient d'être retiré.") from None
        except ValidationError as error:  # the last managing role, seen once the row is locked
            refusal = error.messages[0]
        else:
            messages.success(
                request,
                f"Le rôle «\u00a0{assignment.get_role_display()}\u00a0» sur {assignment.target} "
                "est retiré "
                f"à {assignment.user.email}.",
            )
            return redirect("accounts:access_list")
    title = "Retirer un rôle"
    context = {
        "title": title,
        "assignment": assignment,
        "refusal": refusal,
        "breadcrumb_data": breadcrumb(title, _section()),
    }
    return render(request, "accounts/access/withdraw.html", context)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Where a person whose account was just created chooses their password, through the
    one-time link shown to the manager who created it."""

    form_class = PasswordSetForm
    token_generator = password_set_tokens
    template_name = "accounts/access/password_set.html"
    success_url = reverse_lazy("accounts:login")
    title = "Choisir votre mot de passe"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Votre mot de passe est enregistré\u00a0: vous pouvez vous connecter."
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """« Mot de passe oublié ? »: the address to send a reset link to."""

    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset/form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = "Mot de passe oublié"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeout_days"] = settings.PASSWORD_RESET_TIMEOUT // 86400
        return context


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset/done.html"
    title = "Message envoyé"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of the reset message: choose a new password (Django's token: void once the
    password changed, or after PASSWORD_RESET_TIMEOUT)."""

    form_class = PasswordResetSetForm
    template_name = "accounts/password_reset/confirm.html"
    success_url = reverse_lazy("accounts:login")
    title = "Choisir un nouveau mot de passe"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Votre mot de passe est enregistré : vous pouvez vous connecter."
        )
        return response
