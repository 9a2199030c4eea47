"""The « Programme » pages: the eight measures with the targets and envelopes of the user's
territory (filters, exports), and the pages that set a target or an envelope (create, change,
delete after confirmation). Reading needs ``programme.view`` (403 otherwise); a target or an
envelope outside what the user reads is a 404, and one they read but may not set (a national
target for a coordinator) a 403."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.scope import scope_of
from tne.core.widgets import add_model_errors

from . import services
from .exports import FORMATS, envelopes_response, targets_response
from .forms import EnvelopeForm, ProgrammeFilterForm, TargetForm
from .models import Envelope, Measure, Target
from .perms import (
    EDIT_ENVELOPES,
    EDIT_TARGETS,
    can_edit_envelope_at,
    can_edit_envelopes,
    can_edit_target_at,
    can_edit_targets,
    can_view_programme,
)
from .selectors import envelopes_for, targets_for

TITLE = "Programme"


def _require_reader(request) -> None:
    if not can_view_programme(request.user):
        raise PermissionDenied("Les chiffres du programme sont réservés aux agents.")


def _breadcrumb(current: str) -> dict:
    return {"links": [{"url": reverse("programme:index"), "title": TITLE}], "current": current}


def _target_to_edit(request, target_id: int) -> Target:
    _require_reader(request)
    target = get_object_or_404(
        Target.objects.visible_to(request.user).select_related("measure", "node", "period"),
        pk=target_id,
    )
    if not can_edit_target_at(request.user, target.node):
        raise PermissionDenied(f"Vous ne fixez pas les objectifs de {target.node}.")
    return target


def _envelope_to_edit(request, envelope_id: int) -> Envelope:
    _require_reader(request)
    envelope = get_object_or_404(
        Envelope.objects.visible_to(request.user).select_related(
            "measure", "node", "period", "parent__node"
        ),
        pk=envelope_id,
    )
    if not can_edit_envelope_at(request.user, envelope.node):
        raise PermissionDenied(f"Vous ne fixez pas les enveloppes de {envelope.node}.")
    return envelope


def _back(measure_id=None) -> str:
    url = reverse("programme:index")
    return f"{url}?measure={measure_id}" if measure_id else url


# --- The programme page ----------------------------------------------------------------------


@require_GET
def programme_index(request):
    _require_reader(request)
    user = request.user
    form = ProgrammeFilterForm(request.GET or None, user=user)
    filters = form.filters()
    measures = list(Measure.objects.all())
    targets = list(targets_for(user, **filters))
    envelopes = list(envelopes_for(user, **filters))
    target_scope, envelope_scope = scope_of(user, EDIT_TARGETS), scope_of(user, EDIT_ENVELOPES)
    by_measure = {m.pk: {"measure": m, "targets": [], "envelopes": []} for m in measures}
    for target in targets:
        target.editable = target_scope.covers_node(target.node)
        by_measure[target.measure_id]["targets"].append(target)
    for envelope in envelopes:
        envelope.editable = envelope_scope.covers_node(envelope.node)
        by_measure[envelope.measure_id]["envelopes"].append(envelope)
    shown = [
        section
        for section in by_measure.values()
        if filters["measure"] is None or section["measure"] == filters["measure"]
    ]
    query = request.GET.urlencode()
    context = {
        "title": TITLE,
        "form": form,
        "sections": shown,
        "has_rows": bool(targets or envelopes),
        "filtered": any(filters.values()),
        "can_edit_targets": can_edit_targets(user),
        "can_edit_envelopes": can_edit_envelopes(user),
        "export_query": f"?{query}" if query else "",
        "formats": FORMATS,
    }
    return render(request, "programme/index.html", context)


@require_GET
def target_export(request, fmt: str):
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    form = ProgrammeFilterForm(request.GET or None, user=request.user)
    return targets_response(targets_for(request.user, **form.filters()), fmt)


@require_GET
def envelope_export(request, fmt: str):
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    form = ProgrammeFilterForm(request.GET or None, user=request.user)
    return envelopes_response(envelopes_for(request.user, **form.filters()), fmt)


# --- Targets ---------------------------------------------------------------------------------


def _save(request, form, write, done: str):
    """The POST of an edit page: ``write(**cleaned_data)`` through its service, then back to
    the programme page with ``done`` (« L'objectif … est enregistré. ») said of the figure
    written; None (the page again, with the model's errors on the form) when it is refused."""
    if not form.is_valid():
        return None
    try:
        figure = write(**form.cleaned_data)
    except ValidationError as error:
        add_model_errors(form, error)
        return None
    messages.success(request, done.format(figure))
    return redirect(_back(figure.measure_id))


def _render_form(request, template, *, title, form, obj=None, kind):
    context = {
        "title": title,
        "form": form,
        "object": obj,
        "kind": kind,
        "breadcrumb_data": _breadcrumb(title),
    }
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def target_create(request):
    _require_reader(request)
    if not can_edit_targets(request.user):
        raise PermissionDenied(
            "Seuls le pilotage national et la coordination fixent les objectifs."
        )
    if request.method == "POST":
        form = TargetForm(request.POST, user=request.user)
        write = functools.partial(services.create_target, actor=request.user)
        if saved := _save(request, form, write, "L'objectif {} est enregistré."):
            return saved
    else:
        form = TargetForm(user=request.user, initial={"measure": request.GET.get("measure")})
    return _render_form(
        request, "programme/target_form.html", title="Fixer un objectif", form=form, kind="target"
    )


@require_http_methods(["GET", "POST"])
def target_update(request, target_id: int):
    target = _target_to_edit(request, target_id)
    if request.method == "POST":
        form = TargetForm(request.POST, user=request.user)
        write = functools.partial(services.update_target, actor=request.user, target=target)
        if saved := _save(request, form, write, "L'objectif {} est enregistré."):
            return saved
    else:
        form = TargetForm(
            user=request.user,
            initial={
                "measure": target.measure_id,
                "node": target.node_id,
                "period": target.period_id,
                "count": target.count,
                "unit": target.unit,
                "note": target.note,
            },
        )
    return _render_form(
        request,
        "programme/target_form.html",
        title="Modifier un objectif",
        form=form,
        obj=target,
        kind="target",
    )


@require_http_methods(["GET", "POST"])
def target_delete(request, target_id: int):
    target = _target_to_edit(request, target_id)
    if request.method == "POST":
        services.delete_target(actor=request.user, target=target)
        messages.success(request, f"L'objectif {target} est supprimé.")
        return redirect(_back(target.measure_id))
    title = "Supprimer un objectif"
    context = {
        "title": title,
        "object": target,
        "kind": "target",
        "refusal": "",
        "breadcrumb_data": _breadcrumb(title),
    }
    return render(request, "programme/confirm_delete.html", context)


# --- Envelopes -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def envelope_create(request):
    _require_reader(request)
    if not can_edit_envelopes(request.user):
        raise PermissionDenied(
            "Seuls le pilotage national et la coordination fixent les enveloppes."
        )
    if request.method == "POST":
        form = EnvelopeForm(request.POST, user=request.user)
        write = functools.partial(services.create_envelope, actor=request.user)
        if saved := _save(request, form, write, "L'enveloppe {} est enregistrée."):
            return saved
    else:
        form = EnvelopeForm(
            user=request.user,
            initial={"measure": request.GET.get("measure"), "parent": request.GET.get("parent")},
        )
    return _render_form(
        request,
        "programme/envelope_form.html",
        title="Fixer une enveloppe",
        form=form,
        kind="envelope",
    )


@require_http_methods(["GET", "POST"])
def envelope_update(request, envelope_id: int):
    envelope = _envelope_to_edit(request, envelope_id)
    if request.method == "POST":
        form = EnvelopeForm(request.POST, user=request.user, instance=envelope)
        write = functools.partial(services.update_envelope, actor=request.user, envelope=envelope)
        if saved := _save(request, form, write, "L'enveloppe {} est enregistrée."):
            return saved
    else:
        form = EnvelopeForm(
            user=request.user,
            instance=envelope,
            initial={
                "measure": envelope.measure_id,
                "node": envelope.node_id,
                "period": envelope.period_id,
                "amount": envelope.amount,
                "parent": envelope.parent_id,
                "note": envelope.note,
            },
        )
    return _render_form(
        request,
        "programme/envelope_form.html",
        title="Modifier une enveloppe",
        form=form,
        obj=envelope,
        kind="envelope",
    )


@require_http_methods(["GET", "POST"])
def envelope_delete(request, envelope_id: int):
    envelope = _envelope_to_edit(request, envelope_id)
    parts = envelope.children.count()
    refusal = (
        f"Cette enveloppe est répartie en {parts} sous-enveloppe{'s' if parts > 1 else ''} : "
        "supprimez-les d'abord."
        if parts
        else ""
    )
    if request.method == "POST" and not refusal:
        try:
            services.delete_envelope(actor=request.user, envelope=envelope)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"L'enveloppe {envelope} est supprimée.")
            return redirect(_back(envelope.measure_id))
    title = "Supprimer une enveloppe"
    context = {
        "title": title,
        "object": envelope,
        "kind": "envelope",
        "refusal": refusal,
        "breadcrumb_data": _breadcrumb(title),
    }
    return render(request, "programme/confirm_delete.html", context)
