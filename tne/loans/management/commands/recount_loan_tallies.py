"""``tne recount_loan_tallies [--check]``: rebuilds the per-school figures of the M6 dashboards
from the loans and the needs (``tne.loans.services.tallies.recount``), or with ``--check`` only
says which schools' figures differ (exit code 1), for a monitoring probe. The services keep the
tallies in the transaction of each change: a difference means a write went around them (a
manual SQL fix, a restored table)."""

from django.core.management.base import BaseCommand, CommandError

from tne.core.formats import fr_number, plural
from tne.loans.services import tallies


class Command(BaseCommand):
    help = (
        "Recompte les chiffres par école des tableaux de bord des prêts (M6) à partir des prêts "
        "et des besoins ; avec --check, dit seulement quelles écoles diffèrent (code 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare sans rien écrire (code 1 si écart)."
        )

    def handle(self, *args, check, **options):
        if not check:
            written = tallies.recount()
            self.stdout.write(f"Décomptes des prêts recomptés : {fr_number(written)} écoles.")
            return
        found = tallies.differences()
        if not found:
            self.stdout.write("Les décomptes des prêts sont à jour.")
            return
        for school_id, (kept, counted) in sorted(found.items())[:20]:
            changed = ", ".join(
                f"{name} {kept[name]} au lieu de {counted[name]}"
                for name in counted
                if kept[name] != counted[name]
            )
            self.stdout.write(f"École n° {school_id} : {changed}")
        raise CommandError(
            f"{plural(len(found), 'école a|écoles ont')} des décomptes à refaire "
            "(tne recount_loan_tallies)."
        )
