from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "tne.equipment"
    verbose_name = "Équipement"

    def ready(self):
        from . import registrations  # noqa: F401  (its nav entries and dashboard card)
