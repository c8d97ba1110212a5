"""A cooperative is found by what it does: `offers_text` (the folded words of its active offers' titles,
categories and sectors) becomes weight B of its search vector on PostgreSQL; on SQLite the search function reads it.

The column is filled for every cooperative here (and kept by cooperatives.search.refresh_offers_text afterwards);
on PostgreSQL the trigger then rebuilds each vector, the vocabulary triggers count the new words, and the table is
analysed so the planner sees the new vectors.
"""

from django.db import migrations, models

FORWARD_SQL = """
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

BACKWARD_SQL = """
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

DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, town, description ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();
UPDATE cooperatives_cooperative SET name = name;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL)
    fill(apps)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cooperatives_cooperative")


def fill(apps):
    """The same text as cooperatives.search.refresh_offers_text, with the historical models, in batches."""
    import re

    from core.text import fold

    Cooperative = apps.get_model("cooperatives", "Cooperative")
    Offer = apps.get_model("cooperatives", "Offer")
    word = re.compile(r"[a-z0-9]+")
    ids = list(Cooperative.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        texts = {pk: {} for pk in batch}
        rows = (
            Offer.objects.filter(cooperative_id__in=batch, is_active=True)
            .order_by("cooperative_id", "pk")
            .values_list("cooperative_id", "title", "category__name", "category__parent__name")
        )
        for cooperative_id, *parts in rows:
            texts[cooperative_id].update(dict.fromkeys(word.findall(fold(" ".join(filter(None, parts))))))
        changed = [Cooperative(pk=pk, offers_text=" ".join(words)) for pk, words in texts.items() if words]
        Cooperative.objects.bulk_update(changed, ["offers_text"], batch_size=500)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0015_add_points_to_territorial_units")]

    operations = [
        migrations.AddField(
            model_name="cooperative",
            name="offers_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forward, backward),
    ]
