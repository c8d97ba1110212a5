"""A cooperative is found by the names of its gmina, powiat and voivodeship (weight B of the search vector, with the
town and what it does): "opieka nad seniorami małopolska", "catering powiat krakowski". The trigger reads the three
names from the territorial register; every vector is rebuilt here and the table analysed (autovacuum may be off).
On SQLite the search reads the same names through the foreign keys (cooperatives.search.SQLITE_FIELDS)."""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION cooperatives_cooperative_search_update() RETURNS trigger AS $$
DECLARE
    places text := (SELECT string_agg(name, ' ') FROM cooperatives_territorialunit
                    WHERE code IN (NEW.gmina_id, NEW.powiat_id, NEW.voivodeship_id));
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.name, '') || ' ' || coalesce(NEW.short_name, '')
                                                 || ' ' || coalesce(NEW.krs_number, '') || ' ' || coalesce(NEW.nip, '')
                                                 || ' ' || coalesce(NEW.regon, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.town, '') || ' ' || coalesce(places, '') || ' '
                                                 || coalesce(NEW.offers_text, ''))), 'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, nip, regon, town, gmina_id, powiat_id, voivodeship_id,
                               description, offers_text
    ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();
UPDATE cooperatives_cooperative SET gmina_id = gmina_id;
ANALYZE cooperatives_cooperative;
"""

BACKWARD_SQL = """
CREATE OR REPLACE FUNCTION cooperatives_cooperative_search_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.name, '') || ' ' || coalesce(NEW.short_name, '')
                                                 || ' ' || coalesce(NEW.krs_number, '') || ' ' || coalesce(NEW.nip, '')
                                                 || ' ' || coalesce(NEW.regon, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.town, '') || ' ' || coalesce(NEW.offers_text, ''))),
                  'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, nip, regon, town, description, offers_text
    ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();
UPDATE cooperatives_cooperative SET name = name;
ANALYZE cooperatives_cooperative;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0018_search_cooperatives_by_nip_and_regon")]

    operations = [migrations.RunPython(forward, backward)]
