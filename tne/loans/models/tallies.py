"""The loans figures of each school, kept by the services that write needs and loans, so that
a dashboard sums one row per school instead of counting the loans and the needs of its
territory."""

from django.db import models

from tne.territory.models import School, TerritoryNode


class SchoolLoanTally(models.Model):
    """What the dashboards of measure M6 count, for one school: the pupils with a declared need,
    served (an offer or a loan not declined), equipped (a device handed out: an active or a
    closed loan), the loans active and those closed on a loss or a theft. Written in the same
    transaction as the needs and loans it counts (``services.tallies.recount``, which rebuilds
    the rows of the schools given, or of every school, from the loans and the needs); the loans
    overdue (a matter of today's date) and the devices in stock (the equipment register's) are
    read where they are."""

    # The School columns a tally copies (its places in the territory).
    PLACES = ("region_id", "academie_id", "departement_id", "commune_id", "circonscription_id")

    school = models.OneToOneField(
        School, verbose_name="école", on_delete=models.CASCADE, related_name="+"
    )
    needs = models.PositiveIntegerField("besoins déclarés", default=0)
    served = models.PositiveIntegerField("élèves servis", default=0)
    equipped = models.PositiveIntegerField("élèves équipés", default=0)
    active = models.PositiveIntegerField("prêts en cours", default=0)
    lost = models.PositiveIntegerField("matériels perdus ou volés", default=0)
    # What the devices handed out are (their number, the sum and the largest of their ids): the
    # key under which the dashboards keep the cost to date, which reads a register row each.
    lent_devices = models.PositiveIntegerField("matériels remis", default=0)
    lent_id_sum = models.PositiveBigIntegerField(default=0)
    lent_id_max = models.PositiveBigIntegerField(default=0)
    # The school's places, copied at each recount, so that a dashboard sums the tallies of a
    # node (the 450 schools of a département, the 45,000 of the country) without joining the
    # schools (PostgreSQL would scan them all). A school moved since its last recount is put
    # right by ``tne recount_loan_tallies``, whose ``--check`` reports it.
    region = models.ForeignKey(
        TerritoryNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    academie = models.ForeignKey(
        TerritoryNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    departement = models.ForeignKey(
        TerritoryNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commune = models.ForeignKey(
        TerritoryNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    circonscription = models.ForeignKey(
        TerritoryNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("recompté le", auto_now=True)

    class Meta:
        verbose_name = "décompte des prêts d'une école"
        verbose_name_plural = "décomptes des prêts des écoles"
        indexes = [models.Index(fields=["departement", "commune"], name="loans_tally_dep")]

    def __str__(self):
        return f"{self.school_id}: {self.needs} besoins, {self.active} prêts en cours"
