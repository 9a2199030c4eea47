from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static

from .models import Job
from .perms import can_view_job
from .progress import with_live_progress


@login_not_required
def favicon(request):
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


@login_not_required
def legal(request):
    return render(request, "core/legal.html", {"title": "Mentions légales"})


@login_not_required
def accessibility(request):
    return render(request, "core/accessibility.html", {"title": "Accessibilité"})


# Labels of the counters a job handler may return in its result.
RESULT_LABELS = {
    "kind": "Type de fichier",
    "rows": "Lignes lues",
    "created": "Créés",
    "updated": "Mis à jour",
    "unchanged": "Inchangés",
    "skipped": "Ignorés",
    "deleted": "Supprimés",
}


def job_detail(request, job_id):
    """The job page; for htmx (the page polls it every second) only its progress fragment."""
    job = get_object_or_404(Job, pk=job_id)
    if not can_view_job(request.user, job):
        raise Http404("Traitement introuvable.")
    with_live_progress(job)
    result = [(RESULT_LABELS.get(key, key), value) for key, value in job.result.items()]
    context = {
        "job": job,
        "result": result,
        "title": job.label,
        "breadcrumb_data": {"current": job.label},
    }
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, context)


def page_not_found(request, exception):
    return render(request, "404.html", {"title": "Page non trouvée"}, status=404)


def permission_denied(request, exception):
    return render(request, "403.html", {"title": "Accès refusé"}, status=403)
