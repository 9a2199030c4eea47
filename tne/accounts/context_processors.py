from .access import can_manage_access


def access(request):
    """Whether the « Accès » entry is shown (from the grants already loaded for the request)."""
    user = getattr(request, "user", None)
    return {"CAN_MANAGE_ACCESS": user is not None and can_manage_access(user)}
