from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tne.core"
    verbose_name = "Socle commun"

    def ready(self):
        from . import registrations  # noqa: F401  (the dashboard's navigation entry)
