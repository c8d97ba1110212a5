"""Synonyms of the sector, kept as data that staff edit in the admin: each offer category's `keywords` are searched
with its name (a cooperative offering catering is found by "katering" and "żywienie"). The first list is seeded
here, and every cooperative's `offers_text` is rebuilt with it (on PostgreSQL the trigger then rebuilds the vectors
and the vocabulary; the table is analysed afterwards)."""

import re

from django.db import migrations, models

# Words a buyer uses that neither the names nor their stems reach (cooperatives.search.stem already takes
# "gastronomiczne" to "gastronomia", "remontowe" to "remonty"): a form already found would only count twice.
KEYWORDS = {
    "gastronomia": "żywienie, jedzenie",
    "catering": "katering, obiady, posiłki, żywienie zbiorowe",
    "stolowki": "stołówka szkolna, bar mleczny, obiady, żywienie zbiorowe",
    "wypieki": "piekarnia, cukiernia, ciasta, pieczywo",
    "sprzatanie": "utrzymanie czystości, sprzątające, porządkowe",
    "sprzatanie-obiektow": "utrzymanie czystości, mycie okien, sprzątające",
    "utrzymanie-czystosci": "sprzątanie terenu, oczyszczanie, porządkowanie",
    "pralnia": "pranie, prasowanie, pralnicze",
    "remonty": "malowanie, wykończeniówka",
    "prace-budowlane": "budowlane, budowa",
    "instalacje": "hydraulik, elektryk, naprawy",
    "pielegnacja-zieleni": "koszenie, tereny zielone, ogrodnicze",
    "ogrody": "ogrodnictwo, ogrodnicze",
    "odsniezanie": "zimowe utrzymanie dróg",
    "opieka-seniorzy": "seniorzy",
    "opieka-dzieci": "niania, opiekunka",
    "asystencja": "asystent osobisty, osoby z niepełnosprawnościami",
    "przedszkola": "żłobek",
    "szkolenia": "kursy",
    "noclegi": "nocleg, zakwaterowanie, pokoje gościnne, hotel",
    "wycieczki": "turystyczne, wycieczki szkolne",
    "agroturystyka": "wypoczynek na wsi, turystyczne",
    "druk": "drukarnia, poligrafia",
    "przewoz-osob": "transport osób",
    "przeprowadzki": "transport rzeczy",
    "ksiegowosc": "biuro rachunkowe, rachunkowość, płace",
}


def seed(apps, schema_editor):
    OfferCategory = apps.get_model("cooperatives", "OfferCategory")
    for slug, keywords in KEYWORDS.items():
        OfferCategory.objects.filter(slug=slug, keywords="").update(keywords=keywords)
    refill(apps, schema_editor)


def refill(apps, schema_editor):
    """cooperatives.search.refresh_offers_text with the historical models, for every cooperative, in batches."""
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
            .values_list(
                "cooperative_id",
                "title",
                "category__name",
                "category__keywords",
                "category__parent__name",
                "category__parent__keywords",
            )
        )
        for cooperative_id, *parts in rows:
            texts[cooperative_id].update(dict.fromkeys(word.findall(fold(" ".join(filter(None, parts))))))
        changed = [Cooperative(pk=pk, offers_text=" ".join(words)) for pk, words in texts.items() if words]
        Cooperative.objects.bulk_update(changed, ["offers_text"], batch_size=500)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cooperatives_cooperative")


def unseed(apps, schema_editor):
    OfferCategory = apps.get_model("cooperatives", "OfferCategory")
    OfferCategory.objects.update(keywords="")
    refill(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0019_search_cooperatives_by_their_places")]

    operations = [
        migrations.AddField(
            model_name="offercategory",
            name="keywords",
            field=models.TextField(
                blank=True,
                help_text=(
                    "Inne słowa, którymi kupujący szukają tej kategorii, oddzielone przecinkami (np. „katering, "
                    "żywienie”). Spółdzielnie z ofertą w tej kategorii (lub w jej podkategoriach) są wyszukiwane "
                    "także po nich."
                ),
                verbose_name="synonimy i słowa kluczowe",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
