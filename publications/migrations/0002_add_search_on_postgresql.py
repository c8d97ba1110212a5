"""Full-text and fuzzy search of publications on PostgreSQL: a trigger keeps the weighted, unaccented search
vector current (title and subtitle A; authors, series and topics through search_text B; abstract C), GIN indexes
serve the full-text and trigram conditions.

On SQLite nothing happens here: search falls back to substring matching of the folded search_text.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD_SQL = """
CREATE OR REPLACE FUNCTION publications_publication_search_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.title, '') || ' ' || coalesce(NEW.subtitle, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.search_text, ''))), 'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.abstract, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER publications_publication_search_trigger
    BEFORE INSERT OR UPDATE OF title, subtitle, abstract, search_text ON publications_publication
    FOR EACH ROW EXECUTE FUNCTION publications_publication_search_update();

CREATE INDEX publication_search_vector_gin ON publications_publication USING gin (search_vector);
CREATE INDEX publication_search_text_trgm ON publications_publication USING gin (search_text gin_trgm_ops);

UPDATE publications_publication SET title = title;
"""

BACKWARD_SQL = """
DROP INDEX IF EXISTS publication_search_text_trgm;
DROP INDEX IF EXISTS publication_search_vector_gin;
DROP TRIGGER IF EXISTS publications_publication_search_trigger ON publications_publication;
DROP FUNCTION IF EXISTS publications_publication_search_update();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [("publications", "0001_initial")]
    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(forwards, backwards),
    ]
