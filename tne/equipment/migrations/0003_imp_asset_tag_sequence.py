"""The sequence of the asset tags TNE generates (``services/asset_tags.py``), on PostgreSQL; SQLite
serialises writers and needs none."""

from django.db import migrations

SEQUENCE = "equipment_asset_tag_seq"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("equipment", "0002_categories_and_kits")]

    operations = [migrations.RunPython(create, drop)]
