"""The socle audit pages (M4).

- ``audit_school``: a whole school in one screen, filled by its head or the ERUN (``AUDIT`` on
  the school; a school outside it, or not elementary, is a 404; a role without ``AUDIT`` a 403).
  **Saving is for the whole form at once** (one « Enregistrer » button, one transaction): the
  « même équipement que la classe X » selects and the bulk action copy answers *in the form*
  (htmx re-renders the form, without JavaScript the button posts it) and nothing is written until
  the form is saved. « Pré-remplir depuis le registre » shows the form filled from the devices
  of the register, for confirmation: it is saved only when the person saves it.
- ``audit_list``: the schools of the ``VIEW`` scope with their figures, ranked (rule in
  :func:`ranked_rows`), filtered, exported in CSV and XLSX.
- ``audit_plan``: the plan of an M4 envelope (``ALLOCATE`` on its node), exported likewise;
  ``audit_plan_campaign``: « Créer la campagne » of that plan, a confirmation page then the
  campaigns created and allocated (``services/plan_campaigns.py``, idempotent)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.formats import fr_number, plural_word
from tne.core.formats import plural as fr_plural
from tne.core.pages import breadcrumb
from tne.core.scope import holds, scope_of
from tne.programme.models import Envelope
from tne.territory.perms import VIEW_IPS

from .. import socle_exports
from ..forms.audits import (
    AuditFilterForm,
    PlanCampaignForm,
    PlanForm,
    SchoolAuditForm,
    class_headings,
)
from ..perms import ALLOCATE, AUDIT, VIEW, can_allocate_at, can_view_equipment
from ..plan import M4, plan_for
from ..services import audits as services
from ..services import plan_campaigns
from ..socle import (
    ClassStatus,
    class_gap,
    load_prices,
    ranked_rows,
    school_side_gap,
    socle_schools,
)

FORMATS = ("csv", "xlsx")
TITLE = "Audit du socle numérique"


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(current, ("Équipement", reverse("equipment:index")), *links)


def _school_to_audit(request, school_id: int):
    """The school ``school_id`` if the user audits it (403 without ``AUDIT`` anywhere, 404 for a
    school outside its reach or that the socle does not concern)."""
    if not holds(request.user, AUDIT):
        raise PermissionDenied("Vous ne renseignez pas l'audit du socle numérique.")
    schools = socle_schools().filter(scope_of(request.user, AUDIT).school_q())
    return get_object_or_404(schools.select_related("commune"), pk=school_id)


def _require_viewer(request) -> None:
    if not can_view_equipment(request.user):
        raise PermissionDenied("L'audit du socle est réservé aux agents qui suivent l'équipement.")


# --- One school ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def audit_school(request, school_id: int):
    school = _school_to_audit(request, school_id)
    year = services.current_year()
    if year is None:
        raise Http404("Aucune année scolaire en cours.")
    classes = services.classes_of(school, year)
    saved_school, saved_classes = services.answers_of(school, year)
    from_register = False
    notice = None
    if request.method == "POST":
        form = SchoolAuditForm(request.POST, classes=classes)
        from_register = request.POST.get("from_register") == "1"
        if form.is_valid():
            action = request.POST.get("action", "save")
            if action == "save":
                school_answers, class_answers = form.posted_answers()
                try:
                    services.save_school_audit(
                        school=school,
                        year=year,
                        school_answers=school_answers,
                        class_answers=class_answers,
                        actor=request.user,
                        from_register=from_register,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, f"L'audit du socle de {school.name} est enregistré.")
                    return redirect("equipment:audit_school", school_id=school.pk)
            else:
                target = None if action == "copy-all" else _int(action.removeprefix("copy-"))
                data, source = form.copied(target)
                names = {c.pk: c.name for c in classes}
                if source is None:
                    notice = "Choisissez la classe dont l'équipement est à recopier."
                else:
                    where = (
                        "dans toutes les classes"
                        if target is None
                        else f"dans la classe {names.get(target, '')}"
                    )
                    notice = (
                        f"L'équipement de la classe {names.get(source, '')} est recopié {where}"
                        "\u00a0: vérifiez puis enregistrez l'audit."
                    )
                form = SchoolAuditForm(initial=data, classes=classes)
    elif request.GET.get("registre") == "1":
        register_school, register_classes = services.register_answers(school, year)
        form = SchoolAuditForm(
            initial=SchoolAuditForm.initial_for(register_school, register_classes),
            classes=classes,
        )
        from_register = True
        notice = (
            "Le formulaire est pré-rempli d'après les matériels installés ou affectés du "
            "registre. Rien n'est enregistré\u00a0: vérifiez chaque ligne puis enregistrez."
        )
    else:
        form = SchoolAuditForm(
            initial=SchoolAuditForm.initial_for(saved_school, saved_classes), classes=classes
        )
    prices = load_prices()
    gaps = {
        c.pk: class_gap(
            class_id=c.pk,
            name=c.name,
            school_id=school.pk,
            answers=saved_classes.get(c.pk),
            prices=prices,
        )
        for c in classes
    }
    rows = list(form.rows())
    for row in rows:
        row["gap"] = gaps[row["school_class"].pk]
    side = school_side_gap(saved_school, prices)
    below_cost = [g.cost for g in gaps.values() if g.is_below]
    context = {
        "title": f"{TITLE} — {school.name}",
        "school": school,
        "year": year,
        "form": form,
        "rows": rows,
        "headings": class_headings(),
        "side": side,
        "audited": saved_school is not None,
        "from_register": from_register,
        "notice": notice,
        "below": sum(1 for g in gaps.values() if g.is_below),
        "not_audited": sum(1 for g in gaps.values() if g.status == ClassStatus.NOT_AUDITED),
        "gap_cost": sum((c for c in below_cost if c is not None), Decimal("0")),
        "gap_unpriced": any(c is None for c in below_cost),
        "category_names": prices.category_names,
        "breadcrumb_data": _crumbs(school.name, (TITLE, reverse("equipment:audit_list"))),
    }
    if request.htmx:
        return render(request, "equipment/audits/school.html#audit-form", context)
    return render(request, "equipment/audits/school.html", context)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


# --- The overview ----------------------------------------------------------------------------


def _overview(request):
    _require_viewer(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    schools = socle_schools().visible_to(request.user, VIEW)
    for name in ("departement", "circonscription", "commune"):
        if filters.get(name):
            schools = schools.filter(**{f"{name}__code": filters[name]})
    rows = ranked_rows(
        schools,
        ips_scope=scope_of(request.user, VIEW_IPS),
        only_not_audited=bool(filters.get("non_audite")),
    )
    return form, filters, rows


@login_required
@require_GET
def audit_list(request):
    form, filters, rows = _overview(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_ends=1))
    show_ips = any(r.ips_readable for r in rows)
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    totals = {
        "schools": len(rows),
        "classes": sum(r.figures.classes for r in rows),
        "audited": sum(r.figures.audited for r in rows),
        "below": sum(r.figures.below for r in rows),
        "items": sum(r.figures.items for r in rows),
        "cost": sum((r.figures.cost for r in rows), Decimal("0")),
    }
    context = {
        "title": TITLE,
        "form": form,
        "filtered": bool(filters),
        "page_obj": page,
        "show_ips": show_ips,
        "totals": totals,
        "export_query": f"?{query}" if query else "",
        "query": query,
        "formats": FORMATS,
        "can_plan": holds(request.user, ALLOCATE),
        "breadcrumb_data": _crumbs(TITLE),
    }
    return render(request, "equipment/audits/list.html", context)


@login_required
@require_GET
def audit_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    _, _, rows = _overview(request)
    return socle_exports.overview_response(rows, fmt, with_ips=any(r.ips_readable for r in rows))


# --- The plan --------------------------------------------------------------------------------


def _plan_envelopes(request):
    if not holds(request.user, ALLOCATE):
        raise PermissionDenied("Le plan de financement est réservé à la coordination.")
    return (
        Envelope.objects.filter(measure__code=M4)
        .filter(scope_of(request.user, ALLOCATE).node_q("node__"))
        .select_related("measure", "node", "period")
        .order_by("node__path", "pk")
    )


def _plan(request):
    envelopes = _plan_envelopes(request)
    form = PlanForm(request.GET or None, envelopes=envelopes)
    if not request.GET or not form.is_valid():
        return form, None
    envelope = form.cleaned_data["envelope"]
    plan = plan_for(
        envelope.node,
        envelope,
        include_school_packs=form.cleaned_data["school_packs"],
        include_head_kits=form.cleaned_data["head_kits"],
    )
    return form, plan


@login_required
@require_GET
def audit_plan(request):
    form, plan = _plan(request)
    query = request.GET.urlencode()
    context = {
        "title": "Plan de financement du socle (M4)",
        "form": form,
        "plan": plan,
        "has_envelopes": form.fields["envelope"].queryset.exists(),
        "can_create_campaign": plan is not None
        and bool(plan.classes or plan.kits)
        and can_allocate_at(request.user, plan.envelope.node),
        "export_query": f"?{query}" if query else "",
        "formats": FORMATS,
        "breadcrumb_data": _crumbs("Plan de financement", (TITLE, reverse("equipment:audit_list"))),
    }
    return render(request, "equipment/audits/plan.html", context)


@login_required
@require_GET
def audit_plan_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    _form, plan = _plan(request)
    if plan is None:
        raise Http404("Choisissez une enveloppe M4 de votre territoire.")
    return socle_exports.plan_response(plan, fmt)


@login_required
@require_POST
def audit_plan_campaign(request):
    """« Créer la campagne » of a plan: without a fingerprint, the confirmation page (what each
    campaign will allocate, what already has its kit); with it, the campaigns created."""
    envelopes = _plan_envelopes(request)
    form = PlanCampaignForm(request.POST, envelopes=envelopes)
    if not form.is_valid():
        raise Http404("Choisissez une enveloppe M4 de votre territoire.")
    data = form.cleaned_data
    options = {"include_school_packs": data["school_packs"], "include_head_kits": data["head_kits"]}
    errors = []
    if data["fingerprint"]:
        try:
            result = plan_campaigns.create_campaigns_from_plan(
                envelope=data["envelope"],
                actor=request.user,
                expected=data["fingerprint"],
                **options,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            return _campaigns_created(request, result)
    plan = plan_for(data["envelope"].node, data["envelope"], **options)
    preview = plan_campaigns.preview(plan, actor=request.user)
    title = "Créer la campagne du plan"
    context = {
        "title": title,
        "form": form,
        "preview": preview,
        "plan": plan,
        "errors": errors,
        "breadcrumb_data": _crumbs(
            title,
            (TITLE, reverse("equipment:audit_list")),
            ("Plan de financement", reverse("equipment:audit_plan")),
        ),
    }
    return render(request, "equipment/audits/plan_campaign.html", context)


def _campaigns_created(request, result):
    campaigns = result.campaigns
    if not campaigns:
        messages.info(
            request,
            "Les classes et les écoles du plan ont déjà leur kit\u00a0: aucune campagne n'est "
            "créée.",
        )
        return redirect("equipment:campaign_list")
    for part in result.parts:
        if part.created:
            messages.success(
                request,
                f"La campagne «\u00a0{part.campaign}\u00a0» est créée\u00a0: {_counts(part)}.",
            )
    return redirect("equipment:campaign_detail", campaign_id=campaigns[0].pk)


def _counts(part) -> str:
    """« 12 classes affectées (3 déjà équipées, laissées de côté) »."""
    unit = "école|écoles" if part.allocation.per_school else "classe|classes"
    done = part.allocation.created
    text = f"{fr_plural(done, unit)} {plural_word(done, 'affectée|affectées')}"
    if skipped := len(part.allocation.skipped):
        equipped = plural_word(skipped, "déjà équipée, laissée|déjà équipées, laissées")
        text += f" ({fr_number(skipped)}\u00a0{equipped} de côté)"
    return text
