"""How an API call says who it is: a personal token (``Authorization: Bearer tne_…``) or, from
the browser, the Django session. ``request.auth`` is then the user, and every endpoint reads
through ``.visible_to(request.auth)``."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from tne.accounts.models import User
from tne.accounts.perms import can_use_api
from tne.accounts.services import use_api_token


class ApiTokenAuth(HttpBearer):
    """A personal API token, created on the page « Mes jetons d'API ». A Bearer header with an
    unknown, revoked or expired token, or the token of a person whose roles no longer carry
    ``accounts.use_api``, is refused outright (no fallback on the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = use_api_token(raw=token)
        if user is None:
            raise AuthenticationError(message="Jeton d'API invalide, expiré ou révoqué.")
        if not can_use_api(user):  # The owner's roles no longer allow the API.
            raise AuthenticationError(message="Votre rôle ne permet plus d'utiliser l'API.")
        request.user = user
        return user


api_auth = [ApiTokenAuth(), django_auth]
