from django.db import models


class KitTarget(models.TextChoices):
    """Whom a kit equips: a class, a whole school, a school's head, or a teacher."""

    CLASS = "CLASS", "une classe"
    SCHOOL = "SCHOOL", "une école"
    HEAD = "HEAD", "la direction d'une école"
    TEACHER = "TEACHER", "un enseignant"


class AllocationStatus(models.TextChoices):
    """Where a kit allocated to a class (or a teacher) stands. In this order."""

    PLANNED = "PLANNED", "Prévue"
    ORDERED = "ORDERED", "Commandée"
    DELIVERED = "DELIVERED", "Livrée"
    INSTALLED = "INSTALLED", "Installée"
    IN_SERVICE = "IN_SERVICE", "En service"
    RETURNED = "RETURNED", "Restituée"
    CANCELLED = "CANCELLED", "Annulée"


class SignoffDecision(models.TextChoices):
    ACCEPTED = "ACCEPTED", "Installation validée"
    REFUSED = "REFUSED", "Installation refusée"


class SignoffParty(models.TextChoices):
    SCHOOL = "SCHOOL", "Direction de l'école"
    AUTHORITY = "AUTHORITY", "Collectivité propriétaire"


class AssetState(models.TextChoices):
    IN_STOCK = "IN_STOCK", "En stock"
    ALLOCATED = "ALLOCATED", "Affecté"
    INSTALLED = "INSTALLED", "Installé"
    LENT = "LENT", "Prêté"
    IN_REPAIR = "IN_REPAIR", "En réparation"
    LOST = "LOST", "Perdu"
    STOLEN = "STOLEN", "Volé"
    RETIRED = "RETIRED", "Réformé"


class AssetEventKind(models.TextChoices):
    CREATED = "CREATED", "Entrée au registre"
    STATE = "STATE", "Changement d'état"
    MOVED = "MOVED", "Changement de lieu"
    HANDED_OVER = "HANDED_OVER", "Remis à une personne"
    RETURNED = "RETURNED", "Restitué"
    INCIDENT = "INCIDENT", "Incident"
    REPAIRED = "REPAIRED", "Réparé"
    SWAPPED = "SWAPPED", "Remplacé"
    EDITED = "EDITED", "Fiche modifiée"


class IncidentKind(models.TextChoices):
    BREAKDOWN = "BREAKDOWN", "Panne"
    DAMAGE = "DAMAGE", "Casse"
    LOSS = "LOSS", "Perte"
    THEFT = "THEFT", "Vol"


class IncidentStatus(models.TextChoices):
    OPEN = "OPEN", "Signalé"
    IN_REPAIR = "IN_REPAIR", "En réparation"
    SWAPPED = "SWAPPED", "Remplacé"
    CLOSED = "CLOSED", "Clos"


class OrderStatus(models.TextChoices):
    DRAFT = "DRAFT", "Brouillon"
    COMMITTED = "COMMITTED", "Engagée"
    CANCELLED = "CANCELLED", "Annulée"


class AssetSource(models.TextChoices):
    """How a device entered the register."""

    DELIVERY = "DELIVERY", "Fichier de livraison"
    SNIPEIT = "SNIPEIT", "Inventaire Snipe-IT"
    GLPI = "GLPI", "Inventaire GLPI"
    MANUAL = "MANUAL", "Saisie"
