"""A parent sees « Mon prêt » and nothing else of the platform.

A person whose only roles are « Parent » (``is_family_only``) lands on the family page
(``loans:family``) from the home page, and every other page or API route answers 403, whatever
their role would otherwise reach there (``territory.view_schools`` lets every role read its
school's page): the pages a parent may open are registered by the apps that own them
(``tne.core.registry.parent_page``: loans registers « Mon prêt », its agreement and its API
route in ``registrations``; a later app its own parents' pages), so a page added later is
closed to them until its app says otherwise; logging out is always open. Public pages (login,
legal notices, the API documentation) stay public. A person who is also an agent somewhere (a
school head at A and a parent at B) is not family-only: their pages are the agent's, and their
family page shows only the pupils linked to them where they are a parent
(``selectors.families``).

Installed as ``FamilyOnlyMiddleware`` after the authentication middleware."""

from django.http import JsonResponse
from django.shortcuts import redirect, render

from tne.core.registry import parent_pages
from tne.core.roles import Role

# The pages of loans open to a family-only account (registered in ``registrations``): its page,
# its child's agreement, its own API route.
FAMILY_VIEWS = ("loans:family", "loans:family_agreement", "api:family_loans")
# Open to every family-only account, whatever app registers what.
ALWAYS_OPEN = frozenset({"accounts:logout"})
# The API's public addresses (the API authenticates itself, so its views are not marked
# ``login_not_required``).
PUBLIC_API_VIEWS = frozenset(
    {"api:openapi-json", "api:api-root", "api:unknown-address", "api_docs:unknown-address"}
)
REFUSAL = (
    "Votre compte de parent donne accès à la page «\u00a0Mon prêt\u00a0» seulement\u00a0: "
    "pour toute autre question, adressez-vous à l'école."
)


def is_family_only(user) -> bool:
    """Whether every role of ``user`` is « Parent » (from the grants loaded once per request).
    An administrator or a staff account is never family-only."""
    if user is None or not user.is_authenticated or user.is_superuser or user.is_staff:
        return False
    grants = user.grants
    return bool(grants) and all(g.role == Role.PARENT for g in grants)


class FamilyOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_family_only(getattr(request, "user", None)):
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name == "home":
            return redirect("loans:family")
        if name in ALWAYS_OPEN or name in PUBLIC_API_VIEWS or name in parent_pages():
            return None
        if not getattr(view_func, "login_required", True):  # a public page
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": REFUSAL}, status=403)
        return render(request, "loans/family/refused.html", {"title": "Accès refusé"}, status=403)
