from django.db import models


class PeriodKind(models.TextChoices):
    SCHOOL_YEAR = "SCHOOL_YEAR", "Année scolaire"
    PHASE = "PHASE", "Phase du programme"


class Unit(models.TextChoices):
    """What a target counts."""

    CLASSES = "CLASSES", "classes"
    PUPILS = "PUPILS", "élèves"
    TEACHERS = "TEACHERS", "enseignants"
    PARENTS = "PARENTS", "parents"
    SCHOOLS = "SCHOOLS", "écoles"
    KITS = "KITS", "kits"
