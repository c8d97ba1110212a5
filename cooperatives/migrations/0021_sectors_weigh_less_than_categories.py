"""The words of a cooperative's sectors move out of `offers_text` into `sectors_text`, weighted with the description
(C on PostgreSQL, 0.2 on SQLite) instead of with its offers' categories (B): a sector's name is shared by every
category in it ("catering" in "Gastronomia i catering"), so a bakery matched "catering" as much as a caterer.
Both columns are rebuilt for every cooperative here (the trigger then rebuilds the vectors); the table is analysed."""

import re

from django.db import migrations, models

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
        setweight(to_tsvector('simple', unaccent(coalesce(NEW.description, '') || ' '
                                                 || coalesce(NEW.sectors_text, ''))), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS cooperatives_cooperative_search_trigger ON cooperatives_cooperative;
CREATE TRIGGER cooperatives_cooperative_search_trigger
    BEFORE INSERT OR UPDATE OF name, short_name, krs_number, nip, regon, town, gmina_id, powiat_id, voivodeship_id,
                               description, offers_text, sectors_text
    ON cooperatives_cooperative
    FOR EACH ROW EXECUTE FUNCTION cooperatives_cooperative_search_update();
"""

BACKWARD_SQL = """
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
"""


def refill(apps, schema_editor, *, split: bool):
    """cooperatives.search.refresh_offers_text with the historical models (`split`: the sector words apart)."""
    from core.text import fold

    Cooperative = apps.get_model("cooperatives", "Cooperative")
    Offer = apps.get_model("cooperatives", "Offer")
    word = re.compile(r"[a-z0-9]+")
    ids = list(Cooperative.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        texts = {pk: {} for pk in batch}
        sectors = {pk: {} for pk in batch}
        rows = (
            Offer.objects.filter(cooperative_id__in=batch, is_active=True)
            .order_by("cooperative_id", "pk")
            .values_list(
                "cooperative_id",
                "title",
                "category__name",
                "category__keywords",
                "category__parent__name",
                "category__parent__keywords",
            )
        )
        for cooperative_id, title, name, keywords, sector, sector_keywords in rows:
            own = texts[cooperative_id] if split else sectors[cooperative_id]
            own.update(dict.fromkeys(word.findall(fold(" ".join(filter(None, [title, name, keywords]))))))
            sectors[cooperative_id].update(dict.fromkeys(word.findall(fold(f"{sector or ''} {sector_keywords or ''}"))))
        changed = []
        for pk in batch:
            if split:
                words = texts[pk]
                changed.append(
                    Cooperative(
                        pk=pk,
                        offers_text=" ".join(words),
                        sectors_text=" ".join(w for w in sectors[pk] if w not in words),
                    )
                )
            else:
                changed.append(Cooperative(pk=pk, offers_text=" ".join(sectors[pk]), sectors_text=""))
        Cooperative.objects.bulk_update(changed, ["offers_text", "sectors_text"], batch_size=500)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cooperatives_cooperative")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL)
    refill(apps, schema_editor, split=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)
    refill(apps, schema_editor, split=False)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0020_offer_category_synonyms")]

    operations = [
        migrations.AddField(
            model_name="cooperative",
            name="sectors_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forward, backward),
    ]
