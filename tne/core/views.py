from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_not_required
def legal(request):
    return render(request, "core/legal.html", {"title": "Mentions légales"})


@login_not_required
def accessibility(request):
    return render(request, "core/accessibility.html", {"title": "Accessibilité"})


def job_detail(request, job_id):
    job = get_object_or_404(Job.objects.filter(created_by=request.user), pk=job_id)
    return render(request, "core/job_detail.html", {"job": job, "title": job.label})
