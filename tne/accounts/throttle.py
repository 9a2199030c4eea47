"""Throttling of failed logins (django-axes): after ``TNE_LOGIN_FAILURE_LIMIT`` failures for one
account, or from one address, logging in is refused for ``TNE_LOGIN_COOLOFF_MINUTES``, on the
login page and on the administration's alike; a success resets the account's count."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from .models import normalize_email


class ThrottledBackend(AxesStandaloneBackend):
    """Axes' check before the password is checked. A call without a request (a management
    command or a test's ``client.login``) reaches no login page: nothing to throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def attempted_username(request, credentials: dict | None) -> str:
    """The address typed, compared without case like logins are."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalize_email(username) if username else ""


def client_address(request) -> str:
    """The client's address: the last one the proxy added to ``X-Forwarded-For`` behind a
    proxy (``TNE_BEHIND_PROXY``), else the connection's."""
    if settings.TNE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """The page of a refused login: when to try again, in French (HTTP 429)."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "title": "Connexion momentanément bloquée",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60),
        "retry_at": timezone.localtime() + cooloff,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
