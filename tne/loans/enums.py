from django.db import models

from tne.territory.enums import Level

# The levels of the pupils M6 lends to: elementary school.
ELEMENTARY_LEVELS = (
    Level.CP,
    Level.CE1,
    Level.CE2,
    Level.CM1,
    Level.CM2,
    Level.ULIS_ECOLE,
)


class HomeDevices(models.TextChoices):
    """What the family has at home to work on."""

    NONE = "NONE", "Aucun équipement"
    SHARED = "SHARED", "Équipement partagé"
    OWN = "OWN", "Équipement personnel"


class HomeInternet(models.TextChoices):
    NONE = "NONE", "Pas d'accès à internet"
    MOBILE = "MOBILE", "Internet mobile seulement"
    FIXED = "FIXED", "Internet fixe"


class RunStatus(models.TextChoices):
    QUEUED = "QUEUED", "En attente"
    RUNNING = "RUNNING", "En cours"
    DONE = "DONE", "Terminé"
    FAILED = "FAILED", "Échec"


class UnservedReason(models.TextChoices):
    """Why a candidate of a run was not served: the constraint that stopped them (the values
    of ``tne.loans.engine.Reason``)."""

    STOCK = "stock", "Stock épuisé"
    BUDGET = "budget", "Budget atteint"
    SCHOOL_MAX = "school_max", "Maximum de l'école atteint"
    DEPARTEMENT_CAP = "departement_cap", "Plafond du département atteint"


class LoanStatus(models.TextChoices):
    """Where a loan stands, in this order: offered to the family, accepted by it, handed out
    (the agreement signed: the device is at home), then closed (returned, lost, stolen…).
    A declined or withdrawn offer is closed without a device."""

    OFFERED = "OFFERED", "Proposé"
    ACCEPTED = "ACCEPTED", "Accepté par la famille"
    ACTIVE = "ACTIVE", "En cours"
    CLOSED = "CLOSED", "Clos"
    DECLINED = "DECLINED", "Décliné ou retiré"


# The loans that hold a pupil's place for a kind of device (at most one of them per pupil and
# kind, enforced by a partial unique index).
OPEN_STATUSES = (LoanStatus.OFFERED, LoanStatus.ACCEPTED, LoanStatus.ACTIVE)
# The loans whose device was handed out: the pupil is equipped (the loan active, or closed after).
HANDED_OUT_STATUSES = (LoanStatus.ACTIVE, LoanStatus.CLOSED)


class LoanOutcome(models.TextChoices):
    """How an active loan ended."""

    RETURNED = "RETURNED", "Rendu"
    LOST = "LOST", "Perdu"
    STOLEN = "STOLEN", "Volé"
    DAMAGED = "DAMAGED", "Rendu hors d'usage"


# The outcomes of a closed loan whose device did not come back.
LOST_OUTCOMES = (LoanOutcome.LOST, LoanOutcome.STOLEN)


class ReturnCondition(models.TextChoices):
    GOOD = "GOOD", "Bon état"
    WORN = "WORN", "Usé"
    DAMAGED = "DAMAGED", "Endommagé"
    INCOMPLETE = "INCOMPLETE", "Incomplet"
