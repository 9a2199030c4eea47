"""A device is named by at most one open loan (offered, accepted — its convention prepared — or
active), no longer only by one active loan: two accepted loans could reserve the same device and
the conflict came out at the hand-out.

Before the index, the devices already named by several open loans are freed on all but one:
the active loan keeps its device, else the convention prepared last; the others lose their
device (their unsigned convention is prepared again at the next scan)."""

from django.db import migrations, models

OPEN = ("OFFERED", "ACCEPTED", "ACTIVE")


def free_double_reservations(apps, schema_editor):
    Loan = apps.get_model("loans", "Loan")
    rows = (
        Loan.objects.filter(status__in=OPEN, asset__isnull=False)
        .order_by("asset_id", "-updated_at", "-pk")
        .values_list("pk", "asset_id", "status")
    )
    kept: dict[int, int] = {}
    active = set(
        Loan.objects.filter(status="ACTIVE", asset__isnull=False).values_list("asset_id", flat=True)
    )
    freed = []
    for pk, asset_id, status in rows:
        if asset_id in active:
            if status != "ACTIVE":
                freed.append(pk)
        elif asset_id in kept:
            freed.append(pk)
        else:
            kept[asset_id] = pk
    if freed:
        Loan.objects.filter(pk__in=freed).update(asset=None)


class Migration(migrations.Migration):
    dependencies = [("loans", "0006_school_loan_tally")]

    operations = [
        migrations.RunPython(free_double_reservations, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="loan", name="loans_one_active_loan_per_device"),
        migrations.AddConstraint(
            model_name="loan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", OPEN)),
                fields=("asset",),
                name="loans_one_open_loan_per_device",
                violation_error_message="Ce matériel est déjà réservé pour un autre prêt.",
            ),
        ),
    ]
