"""The exports of the loans (CSV, XLSX): the need declarations and the loans of the pupils the
user reads (``loans.view`` on their school), a run's decisions (the run of a territory where
they run the allocation, the decisions of the schools they read), the rows of a dashboard
(``loans.view_dashboard``). Never a guardian's contact (see ``tne.loans.exports``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from tne.core.scope import holds, scope_of

from .. import exports
from ..enums import LoanStatus
from ..models import AllocationRun, Loan, NeedDeclaration, RunDecision
from ..perms import ALLOCATE, VIEW, can_view_dashboard, can_view_loans
from .dashboards import dashboard_for


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu\u00a0: csv ou xlsx.")


def _school_filter(request) -> int | None:
    value = request.GET.get("school", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise Http404("École inconnue.")
    return int(value)


@login_required
@require_GET
def declarations_export(request, fmt: str):
    _check_format(fmt)
    if not can_view_loans(request.user):
        raise PermissionDenied("Les déclarations de besoin sont réservées aux agents des écoles.")
    rows = NeedDeclaration.objects.filter(scope_of(request.user, VIEW).school_q("pupil__school__"))
    school = _school_filter(request)
    if school is not None:
        rows = rows.filter(pupil__school_id=school)
    return exports.declarations_response(rows, fmt)


@login_required
@require_GET
def loans_export(request, fmt: str):
    _check_format(fmt)
    if not can_view_loans(request.user):
        raise PermissionDenied("Les prêts sont réservés aux agents des écoles.")
    rows = Loan.objects.visible_to(request.user)
    school = _school_filter(request)
    if school is not None:
        rows = rows.filter(school_id=school)
    status = request.GET.get("status", "")
    if status:
        if status not in LoanStatus.values:
            raise Http404("État de prêt inconnu.")
        rows = rows.filter(status=status)
    return exports.loans_response(rows, fmt)


@login_required
@require_GET
def run_export(request, run_id: int, fmt: str):
    _check_format(fmt)
    if not holds(request.user, ALLOCATE):
        raise PermissionDenied("Les attributions sont réservées à la coordination.")
    run = get_object_or_404(AllocationRun.objects.visible_to(request.user), pk=run_id)
    rows = RunDecision.objects.visible_to(request.user, VIEW).filter(run=run)
    return exports.decisions_response(rows, fmt, run_id=run.pk)


@login_required
@require_GET
def dashboard_export(request, fmt: str):
    _check_format(fmt)
    if not can_view_dashboard(request.user):
        raise PermissionDenied("Les tableaux de bord des prêts sont réservés aux agents.")
    return exports.dashboard_response(dashboard_for(request), fmt)
