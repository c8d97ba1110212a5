"""Full-text and fuzzy search on PostgreSQL: pg_trgm and unaccent, triggers that keep the weighted search
vectors current, GIN indexes, and an ICU Polish-collation index for alphabetical order.

On SQLite nothing happens here: search falls back to substring matching of the folded search_text.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD_SQL = """
CREATE OR REPLACE FUNCTION cooperatives_cooperative_search_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.name, '') || ' ' || coalesce(NEW.short_name, '')
                                                 || ' ' || coalesce(NEW.krs_number, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.town, ''))), 'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, town, description ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();

CREATE OR REPLACE FUNCTION cooperatives_offer_search_update() RETURNS trigger AS $$
DECLARE
    coop_text text;
    category_text text;
BEGIN
    SELECT coalesce(c.name, '') || ' ' || coalesce(c.town, '') INTO coop_text
        FROM cooperatives_cooperative c WHERE c.id = NEW.cooperative_id;
    SELECT coalesce(k.name, '') INTO category_text FROM cooperatives_offercategory k WHERE k.id = NEW.category_id;
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.title, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(category_text, '') || ' ' || coalesce(coop_text, ''))), 'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, '') || ' ' || coalesce(NEW.price_note, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cooperatives_offer_search_trigger
    BEFORE INSERT OR UPDATE OF title, description, price_note, category_id, cooperative_id ON cooperatives_offer
    FOR EACH ROW EXECUTE FUNCTION cooperatives_offer_search_update();

-- A renamed or moved cooperative refreshes its offers' vectors.
CREATE OR REPLACE FUNCTION cooperatives_cooperative_offers_refresh() RETURNS trigger AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.town IS DISTINCT FROM OLD.town THEN
        UPDATE cooperatives_offer SET title = title WHERE cooperative_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cooperatives_cooperative_offers_refresh_trigger
    AFTER UPDATE OF name, town ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_offers_refresh();

CREATE INDEX coop_search_vector_gin ON cooperatives_cooperative USING gin (search_vector);
CREATE INDEX coop_search_text_trgm ON cooperatives_cooperative USING gin (search_text gin_trgm_ops);
CREATE INDEX coop_name_pl_idx ON cooperatives_cooperative ((name COLLATE "pl-x-icu"), id);
CREATE INDEX offer_search_vector_gin ON cooperatives_offer USING gin (search_vector);
CREATE INDEX offer_search_text_trgm ON cooperatives_offer USING gin (search_text gin_trgm_ops);
CREATE INDEX offer_title_pl_idx ON cooperatives_offer ((title COLLATE "pl-x-icu"), id);

UPDATE cooperatives_cooperative SET name = name;
UPDATE cooperatives_offer SET title = title;
"""

BACKWARD_SQL = """
DROP INDEX IF EXISTS offer_title_pl_idx;
DROP INDEX IF EXISTS offer_search_text_trgm;
DROP INDEX IF EXISTS offer_search_vector_gin;
DROP INDEX IF EXISTS coop_name_pl_idx;
DROP INDEX IF EXISTS coop_search_text_trgm;
DROP INDEX IF EXISTS coop_search_vector_gin;
DROP TRIGGER IF EXISTS cooperatives_cooperative_offers_refresh_trigger ON cooperatives_cooperative;
DROP FUNCTION IF EXISTS cooperatives_cooperative_offers_refresh();
DROP TRIGGER IF EXISTS cooperatives_offer_search_trigger ON cooperatives_offer;
DROP FUNCTION IF EXISTS cooperatives_offer_search_update();
DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
DROP FUNCTION IF EXISTS cooperatives_cooperative_search_update();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0002_seed_dictionaries")]
    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(forwards, backwards),
    ]
