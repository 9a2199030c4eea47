from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "tne.territory"
    verbose_name = "Territoire"

    def ready(self):
        # The import job handler, the navigation entries and the dashboard card.
        from . import jobs, registrations  # noqa: F401
