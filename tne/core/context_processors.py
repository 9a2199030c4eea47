from .permissions import declared
from .registry import nav_for
from .scope import holds


class HeldPermissions:
    """What a template asks as ``{% if holds.accounts.use_api %}``: whether the user holds the
    permission ``accounts.use_api`` somewhere (computed on first use, then cached per request by
    ``scope_of``). An unknown code is an error, not a silent False."""

    def __init__(self, user, app: str = ""):
        self._user, self._app = user, app

    def __getitem__(self, name: str):
        if not self._app:
            return HeldPermissions(self._user, name)
        code = f"{self._app}.{name}"
        for permission in declared():
            if permission.code == code:
                return holds(self._user, permission)
        raise KeyError(code)


def shell(request):
    """What the page shell shows on every page: the user's role and scope, the navigation."""
    user = getattr(request, "user", None)
    grants_label = ""
    if user is not None and user.is_authenticated:
        grants_label = user.roles_label()
    return {
        "TNE_SITE_TITLE": "Territoires numériques éducatifs",
        "TNE_ROLES_LABEL": grants_label,
        "holds": HeldPermissions(user),
        # Evaluated only by the templates that show the navigation (a callable in a context is
        # called when a template reads it).
        "nav_items": lambda: nav_for(request),
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
    }
