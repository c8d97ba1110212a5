"""A cooperative is found by its NIP and REGON as well as its KRS number (weight A of the search vector on
PostgreSQL; the folded search text on SQLite). The search text is rebuilt for every cooperative here, the vectors
are rebuilt by the trigger, and the table is analysed afterwards (autovacuum may be off)."""

from django.db import migrations

TRIGGER_SQL = """
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
"""

BACKWARD_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION cooperatives_cooperative_search_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.name, '') || ' ' || coalesce(NEW.short_name, '')
                                                 || ' ' || coalesce(NEW.krs_number, ''))), 'A') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.town, '') || ' ' || coalesce(NEW.offers_text, ''))),
                  'B') ||
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, town, description, offers_text
    ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();
"""


def refill(apps, schema_editor, *, with_identifiers: bool):
    """The search text as Cooperative.refresh_derived_fields builds it, in batches; on PostgreSQL the vectors too."""
    from core.text import fold

    Cooperative = apps.get_model("cooperatives", "Cooperative")
    fields = ["name", "short_name", "town", "krs_number"] + (["nip", "regon"] if with_identifiers else [])
    rows = Cooperative.objects.order_by("pk").values_list("pk", *fields)
    batch = []
    for pk, *parts in rows.iterator(chunk_size=2000):
        batch.append(Cooperative(pk=pk, search_text=fold(" ".join(filter(None, parts)))))
        if len(batch) == 1000:
            Cooperative.objects.bulk_update(batch, ["search_text"])
            batch = []
    Cooperative.objects.bulk_update(batch, ["search_text"])
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE cooperatives_cooperative SET krs_number = krs_number")
        schema_editor.execute("ANALYZE cooperatives_cooperative")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)
    refill(apps, schema_editor, with_identifiers=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_TRIGGER_SQL)
    refill(apps, schema_editor, with_identifiers=False)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0017_index_cooperative_names_for_suggestions")]

    operations = [migrations.RunPython(forward, backward)]
