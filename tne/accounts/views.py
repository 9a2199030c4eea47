"""The user's own account pages: personal API tokens, and the log-out that says it is done."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tne.core.pages import breadcrumb

from .forms import ApiTokenForm
from .models import ApiToken
from .perms import can_use_api
from .services import create_api_token, revoke_api_token

TOKENS_TITLE = "Mes jetons d'API"
TOKENS_SECTION = "Jetons d'API"

# Between the creation (POST) and the page that shows it (GET after the redirect), the raw token
# waits in a short-lived signed cookie bound to its owner: sessions live in the database, where a
# token is never stored unhashed. The page that shows it deletes the cookie.
NEW_TOKEN_COOKIE = "tne_new_api_token"
NEW_TOKEN_SALT = "tne.accounts.new_api_token"
NEW_TOKEN_MAX_AGE = 5 * 60


def _status(token: ApiToken, now) -> str:
    if token.revoked_at:
        return "revoked"
    if token.expires_at and token.expires_at <= now:
        return "expired"
    return "active"


def _section() -> tuple[str, str]:
    """The breadcrumb link to the tokens page, above the revocation page."""
    return (TOKENS_SECTION, reverse("accounts:api_tokens"))


def _keep_new_token(response, *, user, raw: str) -> None:
    response.set_signed_cookie(
        NEW_TOKEN_COOKIE,
        f"{user.pk}:{raw}",
        salt=NEW_TOKEN_SALT,
        max_age=NEW_TOKEN_MAX_AGE,
        path=reverse("accounts:api_tokens"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _new_token(request) -> str | None:
    """The raw token just created by this user, if the redirect after its creation brought it."""
    value = request.get_signed_cookie(
        NEW_TOKEN_COOKIE, default=None, salt=NEW_TOKEN_SALT, max_age=NEW_TOKEN_MAX_AGE
    )
    owner, _, raw = (value or "").partition(":")
    return raw if raw and owner == str(request.user.pk) else None


@never_cache  # The page may show a raw token: never keep it in a cache.
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's personal API tokens. Creating one redirects here (POST/redirect/GET), where its
    value is shown once. Only for the roles that may use the API (``accounts.use_api``)."""
    if not can_use_api(request.user):
        raise PermissionDenied("Votre rôle ne permet pas d'utiliser l'API.")
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, raw = create_api_token(
                user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = redirect("accounts:api_tokens")
            _keep_new_token(response, user=request.user, raw=raw)
            return response
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=request.user))
    for token in tokens:
        token.status = _status(token, now)
    context = {
        "title": TOKENS_TITLE,
        "breadcrumb_data": breadcrumb(TOKENS_SECTION),
        "tokens": sorted(
            (t for t in tokens if t.status != "revoked"), key=lambda t: t.status != "active"
        ),
        "revoked_tokens": [t for t in tokens if t.status == "revoked"],
        "form": form,
        "raw_token": _new_token(request) if request.method == "GET" else None,
    }
    response = render(request, "accounts/api_tokens.html", context)
    if NEW_TOKEN_COOKIE in request.COOKIES:
        response.delete_cookie(
            NEW_TOKEN_COOKIE, path=reverse("accounts:api_tokens"), samesite="Strict"
        )
    return response


@require_http_methods(["GET", "POST"])
def revoke_token(request, token_id: int):
    """Asks for confirmation (GET), then revokes (POST). Only the user's own active tokens."""
    if request.method == "POST":
        token = revoke_api_token(user=request.user, token_id=token_id)
        messages.success(request, f"Le jeton « {token.name} » est révoqué.")
        return redirect("accounts:api_tokens")
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), pk=token_id)
    title = f"Révoquer le jeton « {token.name} »"
    context = {"title": title, "breadcrumb_data": breadcrumb(title, _section()), "token": token}
    return render(request, "accounts/revoke_api_token.html", context)


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Logs out (POST only), then says so on the login page. Reachable without a session: a
    second « Se déconnecter » (another tab) just lands on the login page."""

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "Vous êtes déconnecté.")
        return response
