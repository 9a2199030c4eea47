from django.db import models


class Role(models.TextChoices):
    NATIONAL = "NATIONAL", "Pilotage national"
    COORDINATOR = "COORDINATOR", "Coordination académique ou départementale"
    IEN_ERUN = "IEN_ERUN", "IEN / ERUN de circonscription"
    SCHOOL_HEAD = "SCHOOL_HEAD", "Direction d'école ou d'établissement"
    TEACHER = "TEACHER", "Enseignant"
    TECHNICIAN = "TECHNICIAN", "Technicien équipement"
    TRAINER = "TRAINER", "Formateur"
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY", "Agent de collectivité"
    EVALUATOR = "EVALUATOR", "Évaluateur"
    PARENT = "PARENT", "Parent"


# Roles granted on a school rather than on a node of the territory tree.
SCHOOL_ROLES = {Role.SCHOOL_HEAD, Role.TEACHER, Role.PARENT}
# Roles that see only aggregates and public facts about schools, never individual people.
NO_PEOPLE_ROLES = {Role.EVALUATOR, Role.PARENT, Role.LOCAL_AUTHORITY}
