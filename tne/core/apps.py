from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "tne.core"
    verbose_name = "Socle commun"

    def ready(self):
        # Every app declares its permissions in its ``perms`` module: import them all, so the
        # table of permissions (``tne.core.permissions.declared``) is whole from the start.
        autodiscover_modules("perms")
        from . import registrations  # noqa: F401  (the dashboard's navigation entry)
        from .notify import checks  # noqa: F401  (the notification backends load)
