"""The asset register's prefix search on PostgreSQL: ``asset_tag__istartswith`` and
``serial_number__istartswith`` are ``UPPER("…"::text) LIKE UPPER('X%')``; these expression
indexes (``text_pattern_ops``, whatever the collation) make that an index range scan on a
register of millions of devices. SQLite needs none (and has no operator classes)."""

from django.db import migrations

INDEXES = {
    "equipment_asset_tag_upper_like": "asset_tag",
    "equipment_asset_serial_upper_like": "serial_number",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON equipment_asset (UPPER("{column}"::text) '
            "text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("equipment", "0004_deployments_tally_places")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
