"""``tne send_loan_reminders``: the day's reminders of the loans (to run every day)."""

from django.core.management.base import BaseCommand

from tne.core.formats import plural

from ...services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Envoie les relances des prêts (mesure M6) : une dans les 14 jours avant la date de "
        "retour, puis tous les 7 jours une fois le prêt en retard, au plus "
        "TNE_LOAN_OVERDUE_REMINDERS fois (3 par défaut). Par courriel, ou par SMS à défaut "
        "d'adresse. Relancer le même jour n'envoie rien de plus. À lancer chaque jour."
    )

    def handle(self, *args, **options):
        outcome = send_reminders()
        email = outcome.by_channel.get("EMAIL", 0)
        sms = outcome.by_channel.get("SMS", 0)
        self.stdout.write(
            f"{plural(outcome.sent, 'relance envoyée|relances envoyées')} "
            f"({email} par courriel, {sms} par SMS) sur "
            f"{plural(outcome.checked, 'prêt à relancer|prêts à relancer')}."
        )
        if outcome.without_contact:
            numbers = ", ".join(f"n° {pk}" for pk in outcome.without_contact[:20])
            more = "…" if len(outcome.without_contact) > 20 else ""
            self.stdout.write(
                f"Sans coordonnées du responsable légal : {len(outcome.without_contact)} "
                f"(prêts {numbers}{more})."
            )
        for pk, reason in outcome.refused:
            self.stdout.write(f"Prêt n° {pk} : message refusé — {reason}")
