"""The equipment home: where each area of equipment starts, for what the user may do."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ..perms import can_view_equipment, can_view_progress


@login_required
def index(request):
    if not (can_view_equipment(request.user) or can_view_progress(request.user)):
        raise PermissionDenied
    return render(request, "equipment/index.html", {})
