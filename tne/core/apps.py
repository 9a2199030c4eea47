from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tne.core"
    verbose_name = "Socle commun"
