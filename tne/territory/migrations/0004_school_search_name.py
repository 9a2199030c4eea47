import unicodedata

from django.db import migrations, models


def plain_upper(text):
    # A frozen copy of tne.territory.models.plain_upper: migrations do not import app code.
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def fill_search_names(apps, schema_editor):
    School = apps.get_model("territory", "School")
    batch = []
    for school in School.objects.only("pk", "name").iterator(chunk_size=2000):
        school.search_name = plain_upper(school.name)
        batch.append(school)
        if len(batch) == 2000:
            School.objects.bulk_update(batch, ["search_name"])
            batch = []
    School.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("territory", "0003_school_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="school",
            name="search_name",
            field=models.CharField(
                default="", editable=False, max_length=300, verbose_name="nom pour la recherche"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
    ]
