from django.db import models


class NodeKind(models.TextChoices):
    COUNTRY = "COUNTRY", "Pays"
    REGION = "REGION", "Région"
    ACADEMIE = "ACADEMIE", "Académie"
    DEPARTEMENT = "DEPARTEMENT", "Département"
    CIRCONSCRIPTION = "CIRCONSCRIPTION", "Circonscription"
    COMMUNE = "COMMUNE", "Commune"


class SchoolKind(models.TextChoices):
    MATERNELLE = "MATERNELLE", "École maternelle"
    ELEMENTAIRE = "ELEMENTAIRE", "École élémentaire"
    PRIMAIRE = "PRIMAIRE", "École primaire"
    COLLEGE = "COLLEGE", "Collège"
    LYCEE_GT = "LYCEE_GT", "Lycée général et technologique"
    LYCEE_PRO = "LYCEE_PRO", "Lycée professionnel"
    LYCEE_POLY = "LYCEE_POLY", "Lycée polyvalent"

    @classmethod
    def first_degree(cls) -> list[str]:
        return [cls.MATERNELLE, cls.ELEMENTAIRE, cls.PRIMAIRE]

    @classmethod
    def lycees(cls) -> list[str]:
        return [cls.LYCEE_GT, cls.LYCEE_PRO, cls.LYCEE_POLY]


class Sector(models.TextChoices):
    PUBLIC = "PUBLIC", "Public"
    PRIVATE = "PRIVATE", "Privé sous contrat"
    # Outside the programme (it covers public and private-under-contract schools), but real.
    PRIVATE_NO_CONTRACT = "PRIVATE_NC", "Privé hors contrat"


class EducationNetwork(models.TextChoices):
    NONE = "", "Hors éducation prioritaire"
    REP = "REP", "REP"
    REP_PLUS = "REP_PLUS", "REP+"


class Level(models.TextChoices):
    """School levels, in order, from the first year of maternelle to terminale."""

    TPS = "TPS", "Toute petite section"
    PS = "PS", "Petite section"
    MS = "MS", "Moyenne section"
    GS = "GS", "Grande section"
    CP = "CP", "CP"
    CE1 = "CE1", "CE1"
    CE2 = "CE2", "CE2"
    CM1 = "CM1", "CM1"
    CM2 = "CM2", "CM2"
    ULIS_ECOLE = "ULIS_ECOLE", "ULIS école"
    SIXIEME = "6E", "6e"
    CINQUIEME = "5E", "5e"
    QUATRIEME = "4E", "4e"
    TROISIEME = "3E", "3e"
    SEGPA = "SEGPA", "SEGPA"
    ULIS_COLLEGE = "ULIS_COLLEGE", "ULIS collège"
    SECONDE = "2NDE", "Seconde"
    PREMIERE = "1ERE", "Première"
    TERMINALE = "TLE", "Terminale"
    CAP = "CAP", "CAP"


class Stage(models.TextChoices):
    """The stage of a class, the unit the measures count (M4 counts elementary classes)."""

    PRE_ELEMENTARY = "PRE_ELEMENTARY", "Préélémentaire"
    ELEMENTARY = "ELEMENTARY", "Élémentaire"
    COLLEGE = "COLLEGE", "Collège"
    LYCEE = "LYCEE", "Lycée"


PRE_ELEMENTARY_LEVELS = {Level.TPS, Level.PS, Level.MS, Level.GS}
ELEMENTARY_LEVELS = {Level.CP, Level.CE1, Level.CE2, Level.CM1, Level.CM2, Level.ULIS_ECOLE}
COLLEGE_LEVELS = {
    Level.SIXIEME,
    Level.CINQUIEME,
    Level.QUATRIEME,
    Level.TROISIEME,
    Level.SEGPA,
    Level.ULIS_COLLEGE,
}


def stage_of(levels: list[str]) -> str:
    """A class with at least one elementary level is elementary (a GS-CP class counts for M4)."""
    found = set(levels)
    if found & ELEMENTARY_LEVELS:
        return Stage.ELEMENTARY
    if found & PRE_ELEMENTARY_LEVELS:
        return Stage.PRE_ELEMENTARY
    if found & COLLEGE_LEVELS:
        return Stage.COLLEGE
    return Stage.LYCEE


class StaffRole(models.TextChoices):
    TEACHER = "TEACHER", "Enseignant"
    HEAD = "HEAD", "Directeur ou chef d'établissement"
