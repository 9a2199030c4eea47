from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse

from .jobs import fail_stale_jobs, origin_of, result_display_of
from .models import Job
from .pages import breadcrumb
from .perms import can_view_job
from .progress import with_live_progress
from .registry import cards_for


@login_not_required
def favicon(request):
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


def _operator() -> dict:
    """What the operator of this instance declared (settings ``TNE_OPERATOR``…)."""
    return {
        "name": settings.TNE_OPERATOR,
        "director": settings.TNE_PUBLICATION_DIRECTOR,
        "host": settings.TNE_HOST_PROVIDER,
        "contact": settings.TNE_CONTACT_EMAIL,
        "statement_date": settings.TNE_ACCESSIBILITY_STATEMENT_DATE,
    }


def conformity() -> dict:
    """The conformity an accessibility statement declares (RGAA): « non conforme » without an
    audit or under 50 % of the criteria met, « partiellement conforme » from 50 %, « totalement
    conforme » at 100 %."""
    date, rate = settings.TNE_ACCESSIBILITY_AUDIT_DATE, settings.TNE_ACCESSIBILITY_AUDIT_RATE
    audited = bool(date) and 0 <= rate <= 100
    if not audited:
        level = "non conforme"
    elif rate == 100:
        level = "totalement conforme"
    elif rate >= 50:
        level = "partiellement conforme"
    else:
        level = "non conforme"
    return {"audited": audited, "date": date, "rate": rate, "level": level}


@login_not_required
def legal(request):
    return render(
        request, "core/legal.html", {"title": "Mentions légales", "operator": _operator()}
    )


@login_not_required
def accessibility(request):
    context = {"title": "Accessibilité", "operator": _operator(), "conformity": conformity()}
    return render(request, "core/accessibility.html", context)


def job_detail(request, job_id):
    """The job page; for htmx (the page polls it every second) only its progress fragment."""
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=job_id)
    if not can_view_job(request.user, job):
        raise Http404("Traitement introuvable.")
    if job.is_stale:
        fail_stale_jobs()
        job.refresh_from_db()
    with_live_progress(job)
    display = result_display_of(job.kind)
    origin = origin_of(job.kind)
    origin_url = reverse(origin.url_name) if origin else ""
    context = {
        "job": job,
        "result": display.rows(job.result),
        "result_template": display.template,
        "origin": origin,
        "origin_url": origin_url,
        "title": job.label,
        "breadcrumb_data": breadcrumb(job.label, *([(origin.title, origin_url)] if origin else [])),
    }
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, context)


def dashboard(request):
    """The home page: the cards the apps registered (:func:`tne.core.registry.dashboard_card`)."""
    context = {"title": "Tableau de bord", "cards": cards_for(request)}
    return render(request, "core/dashboard.html", context)


def page_not_found(request, exception):
    return render(request, "404.html", {"title": "Page non trouvée"}, status=404)


def permission_denied(request, exception):
    return render(request, "403.html", {"title": "Accès refusé"}, status=403)


def server_error(request):
    """The 500 page, rendered without the site's context processors (they may be what failed):
    it says the team was told only when someone is (``ADMINS``)."""
    template = loader.get_template("500.html")
    context = {"notified": bool(settings.ADMINS), "contact": settings.TNE_CONTACT_EMAIL}
    return HttpResponseServerError(template.render(context))
