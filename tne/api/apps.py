from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tne.api"
    verbose_name = "API"
