"""E-mail addresses are unique whatever their case. Addresses are already stored in lowercase by
the user manager (the demo's too); an account created otherwise (the admin) is lowercased first.
Two accounts differing only by case would make this migration fail: merge them by hand first."""

from django.db import migrations, models
from django.db.models.functions import Lower

EMAIL_TAKEN = "Un compte existe déjà avec cette adresse électronique."


def lowercase_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                error_messages={"unique": EMAIL_TAKEN},
                max_length=254,
                unique=True,
                verbose_name="adresse électronique",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=EMAIL_TAKEN,
            ),
        ),
    ]
