"""The coordinator's rules of the loans (``loans.set_rules``): the priority weights of a node of
their territory (the formula, the weights in force and where they come from, a preview of the
breakdown on example families) and the quotas of its schools (one school at a time, or a CSV
file ``uai;minimum;maximum`` for the territory: upload → preview → confirmation).

Without ``loans.set_rules`` anywhere: 403; a node or a school outside the territory: 404."""

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.exports import csv_response
from tne.core.formats import de, fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.rowerrors import ImportFileError
from tne.core.scope import holds, scope_of
from tne.core.text import words_q
from tne.territory.enums import EducationNetwork, NodeKind
from tne.territory.models import School, TerritoryNode
from tne.territory.uploads import imports_dir, save_upload

from .. import priority
from ..enums import HomeDevices, HomeInternet
from ..forms.needs import UploadForm
from ..forms.rules import NodeSearchForm, QuotaForm, SchoolLookupForm, WeightsForm
from ..models import SchoolQuota
from ..perms import SET_RULES
from ..selectors.rules import (
    de_node,
    own_weights,
    quotas_under,
    schools_under_q,
    weights_for_node,
    weights_in,
    weights_set_under,
)
from ..services import rules as services

EXPIRED = "Aperçu expiré ou invalide\u00a0: déposez le fichier à nouveau."
GONE = "Le fichier de cet aperçu n'existe plus\u00a0: déposez-le à nouveau."
TITLE = "Règles des prêts"
QUOTAS_SALT = "loans.quotas_import"
SEARCH_KINDS = (NodeKind.DEPARTEMENT, NodeKind.CIRCONSCRIPTION, NodeKind.COMMUNE)

# The families the weights page computes the priority of, so that a coordinator sees what a
# change of weight does before saving it.
EXAMPLES = [
    (
        "Aucun équipement, pas d'internet, école en REP+ d'IPS 82",
        {
            "devices_at_home": HomeDevices.NONE,
            "shared_with": None,
            "internet_at_home": HomeInternet.NONE,
            "education_network": EducationNetwork.REP_PLUS,
            "ips": Decimal("82"),
        },
    ),
    (
        "Équipement partagé avec 2 autres enfants, internet mobile, école en REP d'IPS 95",
        {
            "devices_at_home": HomeDevices.SHARED,
            "shared_with": 2,
            "internet_at_home": HomeInternet.MOBILE,
            "education_network": EducationNetwork.REP,
            "ips": Decimal("95"),
        },
    ),
    (
        "Équipement personnel, internet fixe, école hors éducation prioritaire d'IPS 110",
        {
            "devices_at_home": HomeDevices.OWN,
            "shared_with": None,
            "internet_at_home": HomeInternet.FIXED,
            "education_network": EducationNetwork.NONE,
            "ips": Decimal("110"),
        },
    ),
]


# --- Fetch and authorise -----------------------------------------------------------------------


def _require_rules(request):
    if not holds(request.user, SET_RULES):
        raise PermissionDenied(
            "Les règles des prêts (poids de priorité, quotas) sont réglées par la coordination."
        )
    return scope_of(request.user, SET_RULES)


def _node(request, node_id: int) -> TerritoryNode:
    scope = _require_rules(request)
    return get_object_or_404(TerritoryNode.objects.filter(scope.node_q()), pk=node_id)


def _school(request, school_id: int) -> School:
    scope = _require_rules(request)
    schools = School.objects.filter(scope.school_q()).select_related("commune")
    return get_object_or_404(schools, pk=school_id)


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(current, (TITLE, reverse("loans:rules")), *links)


# --- Home of the rules -------------------------------------------------------------------------


def _grant_nodes(scope) -> list[TerritoryNode]:
    if scope.everything:
        return list(TerritoryNode.objects.filter(kind=NodeKind.COUNTRY))
    return list(
        TerritoryNode.objects.filter(path__in=scope.authority_paths).order_by("depth", "path")
    )


@login_required
@require_GET
def rules_home(request):
    scope = _require_rules(request)
    form = NodeSearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        found = list(
            TerritoryNode.objects.filter(
                scope.node_q(), words_q(form.cleaned_data["q"]), kind__in=SEARCH_KINDS
            ).order_by("depth", "search_name")[:20]
        )
    tuned = weights_in(scope)[:50]
    context = {
        "title": TITLE,
        "nodes": _grant_nodes(scope),
        "form": form,
        "found": found,
        "tuned": list(tuned),
        "breadcrumb_data": breadcrumb(TITLE),
    }
    return render(request, "loans/rules/index.html", context)


# --- Weights -----------------------------------------------------------------------------------


def _examples(weights: priority.Weights) -> list[dict]:
    rows = []
    for label, values in EXAMPLES:
        lines = priority.breakdown(weights, **values)
        rows.append({"label": label, "lines": lines, "score": priority.score(lines)})
    return rows


def _weights_from(form) -> priority.Weights | None:
    if not form.is_valid():
        return None
    return priority.Weights(**form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def weights(request, node_id: int):
    node = _node(request, node_id)
    own = own_weights(node)
    applied = weights_for_node(node)
    action = request.POST.get("action", "save")
    form = WeightsForm(request.POST or None, initial=asdict(applied.weights))
    if request.method == "POST" and action == "reset":
        if services.reset_weights(node=node, actor=request.user):
            messages.success(
                request, f"{node.name} reprend les poids hérités du territoire qui le contient."
            )
        return redirect("loans:weights", node_id=node.pk)
    if request.method == "POST" and action == "save" and form.is_valid():
        try:
            services.set_weights(node=node, values=form.cleaned_data, actor=request.user)
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                for sentence in sentences:
                    form.add_error(name if name in form.fields else None, sentence)
        else:
            messages.success(request, f"Les poids de priorité {de_node(node)} sont enregistrés.")
            return redirect("loans:weights", node_id=node.pk)
    preview = _weights_from(form) if form.is_bound else applied.weights
    shown = preview or applied.weights
    context = {
        "title": f"Poids de priorité — {node.name}",
        "node": node,
        "own": own,
        "applied": applied,
        "form": form,
        "weights_shown": shown,
        "threshold": f"{shown.ips_threshold.normalize():f}".replace(".", ","),
        "examples": _examples(preview) if preview else None,
        "below": [w for w in weights_set_under(node) if w.node_id != node.pk][:50],
        "breadcrumb_data": _crumbs(f"Poids de priorité — {node.name}"),
    }
    if request.htmx and action == "preview":
        return render(request, "loans/rules/weights.html#preview", context)
    return render(request, "loans/rules/weights.html", context)


# --- Quotas ------------------------------------------------------------------------------------


def _quotas_context(request, node, **extra) -> dict:
    return {
        "title": f"Quotas des écoles — {node.name}",
        "node": node,
        "page_obj": paginate(request, quotas_under(node)),
        "lookup": SchoolLookupForm(),
        "columns": services.COLUMNS,
        "breadcrumb_data": _crumbs(f"Quotas des écoles — {node.name}"),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def quotas(request, node_id: int):
    """The quotas of the schools of ``node``, the search of a school to edit, the file import."""
    node = _node(request, node_id)
    template = "loans/rules/quotas.html"
    if request.method == "GET" and "uai" in request.GET:
        lookup = SchoolLookupForm(request.GET)
        if lookup.is_valid():
            school = School.objects.filter(
                scope_of(request.user, SET_RULES).school_q(),
                schools_under_q(node),
                uai=lookup.cleaned_data["uai"].upper(),
            ).first()
            if school is not None:
                return redirect("loans:quota", school_id=school.pk)
            lookup.add_error(
                "uai", fr_typo(f"Aucune école de « {node.name} » n'a cet UAI dans votre périmètre.")
            )
        return render(request, template, _quotas_context(request, node, lookup=lookup))
    if request.method == "POST" and "token" in request.POST:
        return _confirm_quotas(request, node)
    form = UploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors["file"] = form.error_class(["Le fichier dépasse la taille maximale."])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        path = save_upload(upload)
        try:
            check = services.check_quotas_file(
                path, label=name, scope=scope_of(request.user, SET_RULES), node=node
            )
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            context = _quotas_context(
                request, node, form=UploadForm(), refused=name, errors=exc.errors
            )
            return render(request, template, context)
        token = signing.dumps({"path": path.name, "name": name, "node": node.pk}, salt=QUOTAS_SALT)
        context = _quotas_context(
            request, node, form=None, check=check, counts=check.counts(), name=name, token=token
        )
        return render(request, template, context)
    return render(request, template, _quotas_context(request, node, form=form))


def _confirm_quotas(request, node):
    try:
        data = signing.loads(request.POST["token"], salt=QUOTAS_SALT, max_age=3600)
    except signing.BadSignature:
        raise PermissionDenied(EXPIRED) from None
    if data.get("node") != node.pk:
        raise PermissionDenied("Cet aperçu est celui d'un autre territoire.")
    path = imports_dir() / Path(data["path"]).name
    if "cancel" in request.POST:
        path.unlink(missing_ok=True)
        return redirect("loans:quotas", node_id=node.pk)
    if not path.is_file():
        raise PermissionDenied(GONE)
    try:
        check = services.import_quotas_file(path, label=data["name"], actor=request.user, node=node)
    except ImportFileError as exc:
        context = _quotas_context(
            request, node, form=UploadForm(), refused=data["name"], errors=exc.errors
        )
        return render(request, "loans/rules/quotas.html", context)
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, fr_typo(f"Fichier « {data['name']} » importé : {check.sentence()}."))
    return redirect("loans:quotas", node_id=node.pk)


@login_required
@require_GET
def quotas_template(request):
    _require_rules(request)
    return csv_response(
        list(services.COLUMNS), services.EXAMPLE_ROWS, filename="modele-quotas-prets.csv"
    )


@login_required
@require_http_methods(["GET", "POST"])
def quota(request, school_id: int):
    school = _school(request, school_id)
    current = SchoolQuota.objects.filter(school=school).first()
    initial = {"minimum": current.minimum, "maximum": current.maximum} if current else {}
    form = QuotaForm(request.POST or None, initial=initial or {"minimum": 0})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.set_quota(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                for sentence in sentences:
                    form.add_error(name if name in form.fields else None, sentence)
        else:
            if saved is None:
                messages.success(request, f"{school.name} n'a plus de quota.")
            else:
                messages.success(request, f"Le quota {de(school.name)} est enregistré.")
            return redirect("loans:quota", school_id=school.pk)
    title = f"Quota — {school.name}"
    context = {
        "title": title,
        "school": school,
        "current": current,
        "form": form,
        "breadcrumb_data": _crumbs(title),
    }
    return render(request, "loans/rules/quota.html", context)
