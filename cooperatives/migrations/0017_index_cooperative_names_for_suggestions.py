"""A GIN index of the names part (weight A) of the cooperatives' search vector, for the search box's suggestions
(cooperatives.suggestions.NamesVector). PostgreSQL only; SQLite has no search vector."""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS coop_names_vector_idx ON cooperatives_cooperative
USING gin (ts_filter(search_vector, '{a}'::"char"[])) WITH (fastupdate = off);
ANALYZE cooperatives_cooperative;
"""
DROP = "DROP INDEX IF EXISTS coop_names_vector_idx;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0016_search_cooperatives_by_their_offers")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
