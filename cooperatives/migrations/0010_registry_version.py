"""A counter raised in the transaction of every change to the registry's tables (PostgreSQL only).

core.counting caches exact counts by it. Every `cooperatives_*` table gets a statement-level trigger; a table
added later needs `add_registry_version_triggers` in its migration (tests/core/test_counting.py checks that every
table has one).
"""

from django.db import migrations

FUNCTION = """
CREATE TABLE IF NOT EXISTS registry_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL);
INSERT INTO registry_version (id, version) VALUES (true, 1) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION registry_version_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET version = version + 1;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'cooperatives\\_%'
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS registry_version_raise ON %I', t);
        EXECUTE format(
            'CREATE TRIGGER registry_version_raise AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION registry_version_raise()', t);
    END LOOP;
END $$;
"""

REVERSE = """
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'cooperatives\\_%'
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS registry_version_raise ON %I', t);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS registry_version_raise();
DROP TABLE IF EXISTS registry_version;
"""


def add_registry_version_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGERS, params=None)


def remove_registry_version_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0009_statistics_groups_index")]

    operations = [migrations.RunPython(add_registry_version_triggers, remove_registry_version_triggers)]
