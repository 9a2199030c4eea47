from .registry import nav_for


def shell(request):
    """What the page shell shows on every page: the user's role and scope, the navigation."""
    user = getattr(request, "user", None)
    grants_label = ""
    if user is not None and user.is_authenticated:
        grants_label = user.roles_label()
    return {
        "TNE_SITE_TITLE": "Territoires numériques éducatifs",
        "TNE_ROLES_LABEL": grants_label,
        # Evaluated only by the templates that show the navigation (a callable in a context is
        # called when a template reads it).
        "nav_items": lambda: nav_for(request),
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
    }
