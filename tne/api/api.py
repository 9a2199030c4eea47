"""The REST API of TNE, mounted at ``/api/v1/`` (OpenAPI at ``openapi.json``, docs at ``docs``).

Every domain adds its router here. Authentication: a personal token or the session
(:mod:`tne.api.auth`); every list is keyset-paginated (:mod:`tne.core.api.pagination`)."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from tne.programme.api import router as programme_router
from tne.territory.api import router as territory_router

from . import me
from .auth import api_auth
from .docs import LocalSwagger

api = NinjaAPI(
    title="API des Territoires numériques éducatifs",
    version="1",
    description=(
        "API en lecture des données du programme TNE, avec le même périmètre que l'interface.\n\n"
        "**Authentification** : jeton personnel (page « Mes jetons d'API ») dans l'en-tête "
        "`Authorization: Bearer tne_…`, ou session du navigateur.\n\n"
        "**Pagination** : par curseur ; chaque liste renvoie `items` et `next_cursor`, à "
        "repasser dans le paramètre `cursor` pour la page suivante (`limit` : 50 par défaut, "
        "500 au plus).\n\n"
        "Un objet hors de votre périmètre répond 404."
    ),
    urls_namespace="api",
    auth=api_auth,
    docs=LocalSwagger(),
)
api.add_router("", me.router)
api.add_router("", territory_router)
api.add_router("", programme_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message
    if detail == "Unauthorized":
        detail = "Authentification requise : jeton d'API (Authorization: Bearer) ou session."
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Introuvable."}, status=404)
