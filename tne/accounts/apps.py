from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tne.accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from . import registrations  # noqa: F401  (the « Accès » navigation entry)
