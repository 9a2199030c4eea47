from .perms import can_import_reference_data


def territory(request):
    user = getattr(request, "user", None)
    return {"CAN_IMPORT_REFERENCE_DATA": user is not None and can_import_reference_data(user)}
