from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "tne.loans"
    verbose_name = "Prêts (M6)"

    def ready(self):
        from . import registrations  # noqa: F401  (its nav entries and dashboard card)
