from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "tne.programme"
    verbose_name = "Programme"

    def ready(self):
        from . import registrations  # noqa: F401  (its nav entry and dashboard card)
