"""The allocation runs' pages: the runs of the user's territory, starting one, a run (its inputs,
its figures, a table per school, its progress while it computes), its decisions (filters,
pages), why a pupil was or was not served, « what if » with another stock or budget (nothing
saved), and applying the run (an offer to each pupil served, once).

Runs are read and started with ``loans.allocate`` on their node (a run elsewhere is a 404);
a pupil's decision is read with ``loans.view`` on the pupil's school (the school head reads why
their pupils were not served)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.audit import AuditSource
from tne.core.formats import fr_typo, plural
from tne.core.jobs import start_job
from tne.core.pages import breadcrumb, paginate
from tne.core.progress import with_live_progress
from tne.core.scope import holds
from tne.core.widgets import add_model_errors
from tne.territory.models import TerritoryNode

from ..enums import RunStatus, UnservedReason
from ..forms.runs import ConfirmForm, DecisionFilterForm, RunForm, WhatIfForm
from ..jobs import WHAT_IF_JOB_KIND
from ..perms import ALLOCATE, can_allocate_at
from ..selectors import runs as selectors
from ..services import offers
from ..services import runs as services

TITLE = "Attributions des prêts"
FINISHED = (RunStatus.DONE, RunStatus.FAILED)
# The fields of the run's form kept when it is redrawn for another territory.
REDRAWN = ("category", "label", "stock_mode", "stock", "budget", "unit_cost")


# --- Fetch and authorise ---------------------------------------------------------------------


def _require_allocator(request) -> None:
    if not holds(request.user, ALLOCATE):
        raise PermissionDenied(
            "Les attributions des prêts sont l'affaire du pilotage national et des coordinations."
        )


def _run(request, run_id: int):
    _require_allocator(request)
    return selectors.run_for(request.user, run_id)


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(current, *links)


def _run_crumbs(run, current: str) -> dict:
    return _crumbs(
        current,
        (TITLE, reverse("loans:runs")),
        (str(run), reverse("loans:run", args=[run.pk])),
    )


# --- The runs --------------------------------------------------------------------------------


@login_required
@require_GET
def run_list(request):
    _require_allocator(request)
    page = paginate(request, selectors.runs_for(request.user))
    context = {
        "title": TITLE,
        "page_obj": page,
        "breadcrumb_data": _crumbs(TITLE),
    }
    return render(request, "loans/runs/list.html", context)


def _chosen_node(request, data) -> TerritoryNode | None:
    nodes = selectors.allocation_nodes(request.user)
    raw = data.get("node")
    if raw and str(raw).isdigit():
        node = nodes.filter(pk=int(raw)).first()
        if node is not None:
            return node
    return nodes.first()


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request):
    """The form of a run; « Mettre à jour » (``refresh``) redraws it for another territory (its
    stock and its départements) without starting anything."""
    _require_allocator(request)
    data = request.POST if request.method == "POST" else request.GET
    node = _chosen_node(request, data)
    refresh = "refresh" in data
    # Redrawn for another territory: what was typed is kept, unchecked (no errors shown yet).
    kept = {k: v for k, v in request.POST.items() if k in REDRAWN} if refresh else {}
    form = RunForm(
        request.POST if request.method == "POST" and not refresh else None,
        user=request.user,
        node=node,
        initial={**kept, **({"node": node.pk} if node is not None else {})},
    )
    if request.method == "POST" and not refresh and form.is_valid():
        try:
            run = services.start_run(actor=request.user, source=AuditSource.UI, **form.inputs())
        except ValidationError as error:
            add_model_errors(form, error)
        except PermissionDenied as error:
            form.add_error("node", str(error))
        else:
            messages.success(request, f"L'attribution n°\u00a0{run.pk} est lancée.")
            return redirect("loans:run", run_id=run.pk)
    title = "Lancer une attribution"
    counts = selectors.stock_counts(node) if node is not None else {}
    context = {
        "title": title,
        "form": form,
        "node": node,
        "stock": [
            (c, counts.get(c.pk, 0), selectors.reference_price(c))
            for c in selectors.lendable_categories()
        ],
        "breadcrumb_data": _crumbs(title, (TITLE, reverse("loans:runs"))),
    }
    return render(request, "loans/runs/new.html", context)


def _reasons(run) -> list[tuple[str, int]]:
    return [
        (UnservedReason(code).label, count)
        for code, count in sorted(run.unserved_by_reason.items())
        if code in UnservedReason.values and count
    ]


@login_required
@require_GET
def run_detail(request, run_id: int):
    """A run; while it computes, the page polls its progress (htmx: the ``progress`` partial)."""
    run = _run(request, run_id)
    job = with_live_progress(run.job) if run.job_id else None
    context = {
        "title": str(run),
        "run": run,
        "job": job,
        "finished": run.status in FINISHED,
        "reasons": _reasons(run),
        "capacity_text": selectors.capacity_text(run) if run.status == RunStatus.DONE else "",
        "weights_sets": list(run.weights.get("sets", {}).values()),
        "may_apply": can_allocate_at(request.user, run.node),
        "breadcrumb_data": _crumbs(str(run), (TITLE, reverse("loans:runs"))),
    }
    if request.htmx:
        return render(request, "loans/runs/detail.html#progress", context)
    if run.status == RunStatus.DONE:
        page = paginate(request, selectors.school_rows(run, request.user))
        for row in page.object_list:
            row["minimum"], row["maximum"] = selectors.quota_of(run, row["school_id"])
        context["schools_page"] = page
        context["page_obj"] = page
    return render(request, "loans/runs/detail.html", context)


# --- Decisions ---------------------------------------------------------------------------------


@login_required
@require_GET
def decision_list(request, run_id: int):
    run = _run(request, run_id)
    form = DecisionFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.filtered_decisions(run, request.user, **filters))
    title = "Décisions de l'attribution"
    context = {
        "title": title,
        "run": run,
        "form": form,
        "page_obj": page,
        "filtered": any(filters.values()) or (form.is_bound and not form.is_valid()),
        "breadcrumb_data": _run_crumbs(run, title),
    }
    return render(request, "loans/runs/decisions.html", context)


@login_required
@require_GET
def decision_detail(request, decision_id: int):
    """Why a pupil was (not) served, for whoever reads the pupil's school (``loans.view``)."""
    decision = selectors.decision_for(request.user, decision_id)
    run = decision.run
    title = f"Décision pour l'élève {decision.pupil.code}"
    sees_run = can_allocate_at(request.user, run.node)
    links = [(TITLE, reverse("loans:runs")), (str(run), reverse("loans:run", args=[run.pk]))]
    context = {
        "title": title,
        "decision": decision,
        "run": run,
        "explanation": selectors.explain(decision),
        "sees_run": sees_run,
        "breadcrumb_data": _crumbs(title, *(links if sees_run else [])),
    }
    return render(request, "loans/runs/decision.html", context)


# --- What if -----------------------------------------------------------------------------------


def _suggestions(run) -> list[tuple[str, dict]]:
    """« +10 % de budget », « +10 % de stock »: the links of the page."""
    found = []
    if run.budget is not None:
        more = (run.budget * Decimal("1.1")).quantize(Decimal("0.01"))
        found.append(("10\u00a0% de budget en plus", {"budget": str(more)}))
    if run.stock is not None:
        found.append(("10\u00a0% de stock en plus", {"stock": run.stock + (run.stock + 9) // 10}))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def what_if(request, run_id: int):
    """The run again with another stock or budget: computed in the request up to
    ``WHAT_IF_INLINE_MAX`` candidates (a GET, nothing written), as a job beyond (a POST)."""
    run = _run(request, run_id)
    if run.status != RunStatus.DONE:
        messages.error(request, "Seule une attribution terminée se simule.")
        return redirect("loans:run", run_id=run.pk)
    data = request.POST if request.method == "POST" else request.GET
    form = WhatIfForm(data if ("stock" in data or "budget" in data) else None)
    inline = run.candidates <= selectors.WHAT_IF_INLINE_MAX
    outcome = None
    if form.is_bound and form.is_valid():
        stock, budget = form.cleaned_data["stock"], form.cleaned_data["budget"]
        if inline:
            outcome = selectors.what_if(run, stock=stock, budget=budget)
        elif request.method == "POST":
            job = start_job(
                kind=WHAT_IF_JOB_KIND,
                label=f"Simulation de l'attribution n°\u00a0{run.pk}",
                params={
                    "run": run.pk,
                    "stock": stock,
                    "budget": str(budget) if budget is not None else None,
                },
                user=request.user,
            )
            return redirect("core:job_detail", job_id=job.pk)
    title = "Et si… (simulation)"
    context = {
        "title": title,
        "run": run,
        "form": form,
        "inline": inline,
        "inline_max": selectors.WHAT_IF_INLINE_MAX,
        "outcome": outcome,
        "suggestions": [
            (label, "?" + "&".join(f"{k}={v}" for k, v in params.items()))
            for label, params in _suggestions(run)
        ],
        "breadcrumb_data": _run_crumbs(run, title),
    }
    return render(request, "loans/runs/what_if.html", context)


# --- Applying a run ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def run_apply(request, run_id: int):
    """Applying a run: the confirmation, then an offer to each pupil served, once."""
    run = _run(request, run_id)
    if not can_allocate_at(request.user, run.node):
        raise PermissionDenied("Vous n'appliquez pas les attributions de ce territoire.")
    if run.applied_at is not None and request.method == "GET":
        messages.info(request, "Cette attribution est déjà appliquée.")
        return redirect("loans:run", run_id=run.pk)
    if run.status != RunStatus.DONE:
        messages.error(request, "Seule une attribution terminée s'applique.")
        return redirect("loans:run", run_id=run.pk)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=f"Je confirme l'envoi de {plural(run.served, 'proposition')} de prêt aux familles",
    )
    if request.method == "POST" and form.is_valid():
        try:
            applied = offers.apply_run(actor=request.user, run_id=run.pk)
        except ValidationError as error:
            messages.error(request, fr_typo(" ".join(error.messages)))
        else:
            if applied.already:
                messages.info(
                    request, "Cette attribution était déjà appliquée\u00a0: rien de plus."
                )
            else:
                text = f"{plural(applied.made, 'proposition')} de prêt faite"
                text += "s." if applied.made > 1 else "."
                if applied.skipped:
                    text += (
                        f" {plural(applied.skipped, 'élève servi|élèves servis')} "
                        f"{'avaient' if applied.skipped > 1 else 'avait'} déjà un prêt en cours "
                        "de ce matériel."
                    )
                messages.success(request, text)
        return redirect("loans:run", run_id=run.pk)
    title = "Appliquer l'attribution"
    context = {
        "title": title,
        "run": run,
        "form": form,
        "breadcrumb_data": _run_crumbs(run, title),
    }
    return render(request, "loans/runs/apply.html", context)
