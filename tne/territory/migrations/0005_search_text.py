import re
import unicodedata

from django.db import migrations, models

BATCH = 1000
NOT_A_WORD = re.compile(r"[\W_]+")
WORD_EXPANSIONS = {"ST": "SAINT", "STE": "SAINTE"}


def search_text(text):
    # A frozen copy of tne.territory.models.search_text: migrations do not import app code.
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return " ".join(WORD_EXPANSIONS.get(w, w) for w in NOT_A_WORD.sub(" ", plain).split())


def _write(model, rows):
    """``rows``: (pk, search text) pairs, written by batches."""
    batch = []
    for pk, text in rows:
        batch.append(model(pk=pk, search_name=text))
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, ["search_name"])
            batch = []
    model.objects.bulk_update(batch, ["search_name"])


def fill_search_names(apps, schema_editor):
    TerritoryNode = apps.get_model("territory", "TerritoryNode")
    School = apps.get_model("territory", "School")
    nodes = TerritoryNode.objects.order_by("pk").values_list("pk", "name")
    _write(TerritoryNode, ((pk, search_text(name)) for pk, name in nodes.iterator(BATCH)))
    schools = School.objects.order_by("pk").values_list("pk", "name", "commune__name")
    _write(
        School,
        ((pk, search_text(f"{name} {commune}")) for pk, name, commune in schools.iterator(BATCH)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("territory", "0004_school_search_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="school",
            options={
                "ordering": ["search_name", "uai"],
                "verbose_name": "établissement",
                "verbose_name_plural": "établissements",
            },
        ),
        migrations.AddField(
            model_name="territorynode",
            name="search_name",
            field=models.TextField(
                default="", editable=False, verbose_name="nom pour la recherche"
            ),
        ),
        migrations.AlterField(
            model_name="school",
            name="search_name",
            field=models.TextField(editable=False, verbose_name="nom pour la recherche"),
        ),
        migrations.AddIndex(
            model_name="school",
            index=models.Index(
                fields=["search_name", "uai"], name="territory_s_search__e47998_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="school",
            index=models.Index(
                fields=["departement", "search_name"], name="territory_s_departe_53da7c_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="territorynode",
            index=models.Index(
                fields=["parent", "search_name"], name="territory_t_parent__9403d4_idx"
            ),
        ),
        # After the indexes: built on rows updated in the same transaction, PostgreSQL would
        # not use them until every older transaction ended (``indcheckxmin``).
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
    ]
