from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tne.demo"
    verbose_name = "Démonstration"
