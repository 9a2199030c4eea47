from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tne.accounts"
    verbose_name = "Comptes et rôles"
