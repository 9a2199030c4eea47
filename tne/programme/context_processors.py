from .perms import can_view_programme


def programme(request):
    user = getattr(request, "user", None)
    return {"CAN_VIEW_PROGRAMME": user is not None and can_view_programme(user)}
