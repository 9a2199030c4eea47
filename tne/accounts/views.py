from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import ApiTokenForm
from .models import ApiToken
from .services import create_api_token, revoke_api_token

TOKENS_TITLE = "Mes jetons d'API"


def _status(token: ApiToken, now) -> str:
    if token.revoked_at:
        return "revoked"
    if token.expires_at and token.expires_at <= now:
        return "expired"
    return "active"


def _breadcrumb(*links: tuple[str, str], current: str) -> dict:
    return {
        "links": [{"url": reverse("home"), "title": "Accueil"}]
        + [{"url": url, "title": label} for url, label in links],
        "current": current,
    }


@never_cache  # The response to a creation shows the raw token: never keep it in a cache.
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's personal API tokens; creating one shows its value once, on this response."""
    raw_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, raw_token = create_api_token(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at
        )
        form = ApiTokenForm()
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=request.user))
    for token in tokens:
        token.status = _status(token, now)
    context = {
        "title": TOKENS_TITLE,
        "breadcrumb_data": _breadcrumb(current=TOKENS_TITLE),
        "tokens": tokens,
        "form": form,
        "raw_token": raw_token,
    }
    return render(request, "accounts/api_tokens.html", context)


@require_http_methods(["GET", "POST"])
def revoke_token(request, token_id: int):
    """Asks for confirmation (GET), then revokes (POST). Only the user's own active tokens."""
    if request.method == "POST":
        token = revoke_api_token(user=request.user, token_id=token_id)
        messages.success(request, f"Le jeton « {token.name} » est révoqué.")
        return redirect("accounts:api_tokens")
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), pk=token_id)
    title = f"Révoquer le jeton « {token.name} »"
    context = {
        "title": title,
        "breadcrumb_data": _breadcrumb(
            (reverse("accounts:api_tokens"), TOKENS_TITLE), current=title
        ),
        "token": token,
    }
    return render(request, "accounts/revoke_api_token.html", context)
