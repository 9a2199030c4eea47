"""The REST API of TNE at ``/api/v1/`` (OpenAPI: ``openapi.json``; French docs: ``/api/``).

Every domain adds its router here. Authentication: a personal token or the session
(:mod:`tne.api.auth`); every list is keyset-paginated (:mod:`tne.core.api.pagination`); every
error is JSON in French (:mod:`tne.api.errors`), declared in OpenAPI (:mod:`tne.api.openapi`)."""

from tne.equipment.api import router as equipment_router
from tne.loans.api import router as loans_router
from tne.programme.api import router as programme_router
from tne.territory.api import router as territory_router

from . import errors, me
from .auth import api_auth
from .openapi import DocumentedErrorsAPI

api = DocumentedErrorsAPI(
    title="API des Territoires numériques éducatifs",
    version="1",
    description=(
        "API des données du programme TNE, avec le même périmètre et les mêmes droits que "
        "l'interface : lecture, et les écritures que votre rôle permet (états des matériels, "
        "audits, signatures d'installation…).\n\n"
        "**Authentification** : jeton personnel (page « Mes jetons d'API ») dans l'en-tête "
        "`Authorization: Bearer tne_…`, ou session du navigateur.\n\n"
        "**Pagination** : par curseur ; chaque liste renvoie `items` et `next_cursor`, à "
        "repasser dans le paramètre `cursor` pour la page suivante (`limit` : 50 par défaut, "
        "500 au plus).\n\n"
        "Un objet hors de votre périmètre répond 404 ; une action que votre rôle ne permet pas, "
        "403 ; une action déjà faite (double envoi), 409.\n\n"
        '**Erreurs** : toujours du JSON en français ; `{"detail": "…"}` (400, 401, 404, '
        '500) ou, pour des paramètres invalides (422), `{"detail": [{"loc": ["query", '
        '"ips_min"], "msg": "…", "type": "finite_number"}]}`.'
    ),
    urls_namespace="api",
    auth=api_auth,
    docs_url=None,  # the documentation is the French page of the site (tne.api.views)
)
api.add_router("", me.router)
api.add_router("", territory_router)
api.add_router("", programme_router)
api.add_router("", equipment_router)
api.add_router("", loans_router)
errors.install(api)
