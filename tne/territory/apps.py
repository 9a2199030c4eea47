from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "tne.territory"
    verbose_name = "Territoire"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the import job handler)
