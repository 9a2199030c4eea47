from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "tne.programme"
    verbose_name = "Programme"
