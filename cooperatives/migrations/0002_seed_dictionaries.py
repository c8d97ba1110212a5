"""Dictionaries the registry cannot work without: target groups and founder kinds (each with its legal basis)
and the two-level taxonomy of offers."""

from django.db import migrations

ART4_1 = "art4_1"
PRE_2018 = "art4_1_pre2018"
ART4_2 = "art4_2"
ACT_2022 = "es_2022"

# (code, name, legal basis). Natural-person categories serve both as target groups and as founder kinds.
PERSON_CATEGORIES = [
    ("bezrobotni", "osoby bezrobotne", ART4_1),
    ("absolwenci-cis-kis", "absolwenci centrów i klubów integracji społecznej (CIS, KIS)", ART4_1),
    ("niepelnosprawni", "osoby niepełnosprawne", ART4_1),
    ("poszukujacy-pracy-do-30", "poszukujący pracy niepozostający w zatrudnieniu, do 30. roku życia", ART4_1),
    ("poszukujacy-pracy-po-50", "poszukujący pracy niepozostający w zatrudnieniu, po 50. roku życia", ART4_1),
    ("opiekunowie-niepelnosprawnych", "opiekunowie osoby niepełnosprawnej poszukujący pracy", ART4_1),
    ("poszukujacy-pracy", "poszukujący pracy niepozostający w zatrudnieniu", ART4_1),
    ("usamodzielniani", "osoby usamodzielniane (opuszczające pieczę zastępczą)", ART4_1),
    ("bezdomni", "bezdomni realizujący indywidualny program wychodzenia z bezdomności", PRE_2018),
    ("uzaleznieni-alkohol", "uzależnieni od alkoholu po terapii", PRE_2018),
    ("uzaleznieni-narkotyki", "uzależnieni od narkotyków po terapii", PRE_2018),
    ("chorzy-psychicznie", "osoby chore psychicznie", PRE_2018),
    ("zwalniani-z-zakladow-karnych", "zwalniani z zakładów karnych", PRE_2018),
    ("uchodzcy-program-integracji", "uchodźcy realizujący indywidualny program integracji", PRE_2018),
]
TARGET_ONLY = [
    ("dlugotrwale-bezrobotni", "osoby długotrwale bezrobotne", ACT_2022),
    ("zaburzenia-psychiczne", "osoby z zaburzeniami psychicznymi", ACT_2022),
    ("opuszczajacy-zaklady-karne", "osoby opuszczające zakłady karne lub poprawcze", ACT_2022),
    ("osoby-starsze", "osoby starsze", ACT_2022),
    ("ochrona-miedzynarodowa", "cudzoziemcy objęci ochroną międzynarodową", ACT_2022),
]
LEGAL_FOUNDERS = [
    ("inne-osoby", "inne osoby (najwyżej 50% członków)", ART4_2, False),
    ("organizacje-pozarzadowe", "organizacje pozarządowe", ART4_2, True),
    ("jst", "jednostki samorządu terytorialnego", ART4_2, True),
    ("koscielne-osoby-prawne", "kościelne osoby prawne", ART4_2, True),
]

CATEGORIES = [
    ("gastronomia", "Gastronomia i catering", [
        ("catering", "Catering"), ("stolowki", "Stołówki i bary"), ("wypieki", "Wypieki i garmażerka"),
    ]),
    ("sprzatanie", "Sprzątanie", [
        ("sprzatanie-obiektow", "Sprzątanie biur i obiektów"), ("pralnia", "Pralnia i magiel"),
        ("utrzymanie-czystosci", "Utrzymanie czystości terenów"),
    ]),
    ("budownictwo", "Budownictwo i remonty", [
        ("remonty", "Remonty i wykończenia wnętrz"), ("prace-budowlane", "Prace budowlane"),
        ("instalacje", "Instalacje i drobne naprawy"),
    ]),
    ("zielen", "Zieleń", [
        ("pielegnacja-zieleni", "Pielęgnacja zieleni"), ("ogrody", "Zakładanie ogrodów"),
        ("odsniezanie", "Odśnieżanie i utrzymanie terenu"),
    ]),
    ("opieka", "Usługi opiekuńcze", [
        ("opieka-seniorzy", "Opieka nad osobami starszymi"), ("opieka-dzieci", "Opieka nad dziećmi"),
        ("asystencja", "Asystencja osób z niepełnosprawnościami"),
    ]),
    ("edukacja", "Edukacja i szkolenia", [
        ("szkolenia", "Szkolenia i warsztaty"), ("przedszkola", "Przedszkola i żłobki"),
        ("zajecia-dodatkowe", "Zajęcia dodatkowe"),
    ]),
    ("rekodzielo", "Rękodzieło i rzemiosło", [
        ("rekodzielo-artystyczne", "Rękodzieło artystyczne"), ("krawiectwo", "Krawiectwo"),
        ("stolarstwo", "Stolarstwo"),
    ]),
    ("turystyka", "Turystyka i noclegi", [
        ("noclegi", "Noclegi"), ("wycieczki", "Organizacja wycieczek"), ("agroturystyka", "Agroturystyka"),
    ]),
    ("poligrafia", "Poligrafia i reklama", [
        ("druk", "Druk"), ("projektowanie", "Projektowanie graficzne"), ("gadzety", "Gadżety reklamowe"),
    ]),
    ("transport", "Transport", [
        ("przewoz-osob", "Przewóz osób"), ("przeprowadzki", "Przewóz rzeczy i przeprowadzki"),
    ]),
    ("biuro-it", "Usługi biurowe i IT", [
        ("ksiegowosc", "Księgowość i kadry"), ("strony-www", "Strony internetowe i IT"),
        ("obsluga-biura", "Obsługa biura"),
    ]),
    ("spoleczne-kulturalne", "Usługi społeczne i kulturalne", [
        ("wydarzenia", "Organizacja wydarzeń"), ("animacja", "Animacja czasu wolnego"),
        ("kultura", "Usługi kulturalne"),
    ]),
    ("rolnictwo", "Rolnictwo i żywność", [
        ("uprawa", "Uprawa i hodowla"), ("przetworstwo", "Przetwórstwo żywności"),
    ]),
    ("inne", "Inne", [("inne-uslugi", "Inne usługi")]),
]


def forwards(apps, schema_editor):
    TargetGroup = apps.get_model("cooperatives", "TargetGroup")
    FounderKind = apps.get_model("cooperatives", "FounderKind")
    OfferCategory = apps.get_model("cooperatives", "OfferCategory")
    for order, (code, name, basis) in enumerate(PERSON_CATEGORIES + TARGET_ONLY):
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "legal_basis": basis,
                                                                  "sort_order": order})
    for order, (code, name, basis) in enumerate(PERSON_CATEGORIES):
        FounderKind.objects.update_or_create(code=code, defaults={"name": name, "legal_basis": basis,
                                                                  "is_legal_person": False, "sort_order": order})
    for order, (code, name, basis, legal) in enumerate(LEGAL_FOUNDERS, start=len(PERSON_CATEGORIES)):
        FounderKind.objects.update_or_create(code=code, defaults={"name": name, "legal_basis": basis,
                                                                  "is_legal_person": legal, "sort_order": order})
    for order, (slug, name, children) in enumerate(CATEGORIES):
        parent, _ = OfferCategory.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})
        for child_order, (child_slug, child_name) in enumerate(children):
            OfferCategory.objects.update_or_create(
                slug=child_slug, defaults={"name": child_name, "parent": parent, "sort_order": child_order}
            )


def backwards(apps, schema_editor):
    apps.get_model("cooperatives", "OfferCategory").objects.filter(parent__isnull=False).delete()
    apps.get_model("cooperatives", "OfferCategory").objects.all().delete()
    apps.get_model("cooperatives", "FounderKind").objects.all().delete()
    apps.get_model("cooperatives", "TargetGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
