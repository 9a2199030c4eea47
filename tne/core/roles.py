"""The roles of the programme: the vocabulary in which every app states who may do what.

A role is granted to a person on a place (``accounts.RoleAssignment``); what it lets them do is
said by the permissions each app declares with :func:`tne.core.permissions.declare`."""

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
