"""A deterministic, realistic demo registry: cooperatives with offers, spread over Poland as the sector really is.

`generate_demo_registry()` is a plain function (a task queue can call it); `manage.py seed_demo` is its command-line
wrapper. The same seed and scale always give the same registry, whatever the batch size. Every generated cooperative
has is_demo=True, so replacing the demo data never touches real records.

Sources of the numbers are in docs/domain.md ("Scale"); where the notes give no figure the value is an explicit
approximation, said so next to it. Coordinates are approximate facts (city centres, and circles drawn well inside
each voivodeship), not copied from any data set.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connections, router, transaction
from django.utils.text import slugify
from faker import Faker
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from core.bulk import bulk_insert
from core.text import fold

from .demo_texts import OFFER_CLOSINGS, OFFER_DETAILS
from .models import (
    Cooperative,
    CooperativeActivity,
    FounderKind,
    Membership,
    Offer,
    OfferCategory,
    PkdVersion,
    TargetGroup,
    TerritorialUnit,
)
from .search import refresh_offers_text
from .selectors import DEMO_FLAG_CACHE_KEY
from .teryt import load_territorial_units

DEFAULT_SEED = 2006
DEFAULT_SCALE = 1500
DEFAULT_BATCH_SIZE = 2000

# The registry is generated "as of" a fixed day, so the output does not depend on when it is run.
REFERENCE_DATE = datetime.date(2025, 12, 31)
# The Act on social cooperatives of 27 April 2006 came into force in the middle of June 2006.
FIRST_REGISTRATION = datetime.date(2006, 6, 15)
# The Act on the social economy (PS status by a wojewoda's decision) applies from November 2022.
FIRST_PS_DECISION = datetime.date(2022, 11, 5)
# Before this amendment the founders' list of art. 4(1) was the older one (see docs/domain.md).
ART4_AMENDMENT = datetime.date(2018, 1, 1)


# --- Facts and approximations, as data -------------------------------------------------------------------


@dataclass(frozen=True)
class VoivodeshipFacts:
    """What the generator needs to know about a voivodeship.

    weight: share of social cooperatives in per cent. docs/domain.md names wielkopolskie, śląskie and mazowieckie
    as the largest; the other shares are an approximation roughly following population, summing to 100.
    centre / radius_km: a circle drawn conservatively inside the voivodeship (approximate geographic facts), where
    gminas without a hand-encoded city point get their demo location.
    bounds: the voivodeship's approximate bounding box (lat_min, lat_max, lon_min, lon_max); every demo coordinate
    in the voivodeship lies inside it.
    postal_prefix: the first digit of postal codes in the region (Poczta Polska's postal districts).
    """

    code: str
    weight: float
    centre: tuple[float, float]
    radius_km: float
    bounds: tuple[float, float, float, float]
    postal_prefix: str


VOIVODESHIPS: tuple[VoivodeshipFacts, ...] = (
    VoivodeshipFacts("02", 7.5, (51.05, 16.35), 35, (50.10, 51.81, 14.82, 17.80), "5"),  # dolnośląskie
    VoivodeshipFacts("04", 6.0, (53.05, 18.45), 35, (52.33, 53.78, 17.25, 19.77), "8"),  # kujawsko-pomorskie
    VoivodeshipFacts("06", 6.5, (51.20, 22.75), 45, (50.25, 52.29, 21.62, 24.15), "2"),  # lubelskie
    VoivodeshipFacts("08", 4.0, (52.15, 15.35), 30, (51.37, 53.12, 14.53, 16.42), "6"),  # lubuskie
    VoivodeshipFacts("10", 5.5, (51.60, 19.40), 45, (50.84, 52.39, 18.07, 20.66), "9"),  # łódzkie
    VoivodeshipFacts("12", 7.0, (49.85, 20.20), 40, (49.17, 50.52, 19.08, 21.42), "3"),  # małopolskie
    VoivodeshipFacts("14", 9.0, (52.30, 21.10), 65, (51.01, 53.48, 19.26, 23.13), "0"),  # mazowieckie
    VoivodeshipFacts("16", 3.0, (50.65, 17.85), 30, (49.97, 51.20, 16.91, 18.70), "4"),  # opolskie
    VoivodeshipFacts("18", 5.5, (50.00, 22.20), 40, (49.00, 50.82, 21.14, 23.55), "3"),  # podkarpackie
    VoivodeshipFacts("20", 3.0, (53.30, 22.90), 45, (52.28, 54.41, 21.58, 23.94), "1"),  # podlaskie
    VoivodeshipFacts("22", 6.5, (54.15, 18.00), 35, (53.49, 54.84, 16.70, 19.65), "8"),  # pomorskie
    VoivodeshipFacts("24", 9.5, (50.30, 18.95), 22, (49.39, 51.10, 18.03, 19.97), "4"),  # śląskie
    VoivodeshipFacts("26", 3.5, (50.80, 20.70), 35, (50.18, 51.35, 19.70, 21.87), "2"),  # świętokrzyskie
    VoivodeshipFacts("28", 6.5, (53.85, 20.75), 50, (53.14, 54.45, 19.13, 22.85), "1"),  # warmińsko-mazurskie
    VoivodeshipFacts("30", 11.0, (52.30, 17.30), 55, (51.10, 53.66, 15.78, 19.08), "6"),  # wielkopolskie
    VoivodeshipFacts("32", 6.0, (53.60, 15.60), 40, (52.62, 54.58, 14.12, 16.98), "7"),  # zachodniopomorskie
)
VOIVODESHIP_FACTS = {v.code: v for v in VOIVODESHIPS}

# Approximate centres of the 66 cities with powiat rights, keyed by the city's powiat code (TERC 2020).
CITY_CENTRES: dict[str, tuple[float, float]] = {
    "0261": (50.904, 15.720), "0262": (51.207, 16.155), "0264": (51.110, 17.032), "0265": (50.771, 16.284),
    "0461": (53.123, 18.008), "0462": (53.484, 18.754), "0463": (53.013, 18.598), "0464": (52.648, 19.068),
    "0661": (52.032, 23.116), "0662": (51.143, 23.472), "0663": (51.246, 22.568), "0664": (50.723, 23.252),
    "0861": (52.731, 15.238), "0862": (51.935, 15.506),
    "1061": (51.759, 19.456), "1062": (51.405, 19.703), "1063": (51.955, 20.159),
    "1261": (50.065, 19.945), "1262": (49.625, 20.692), "1263": (50.012, 20.988),
    "1461": (53.086, 21.575), "1462": (52.547, 19.706), "1463": (51.403, 21.147), "1464": (52.168, 22.290),
    "1465": (52.230, 21.011),
    "1661": (50.675, 17.921),
    "1861": (49.689, 21.770), "1862": (49.784, 22.768), "1863": (50.041, 21.999), "1864": (50.573, 21.679),
    "2061": (53.133, 23.164), "2062": (53.178, 22.059), "2063": (54.111, 22.931),
    "2261": (54.352, 18.646), "2262": (54.519, 18.531), "2263": (54.464, 17.029), "2264": (54.441, 18.560),
    "2461": (49.822, 19.044), "2462": (50.348, 18.916), "2463": (50.297, 18.954), "2464": (50.812, 19.120),
    "2465": (50.322, 19.187), "2466": (50.294, 18.666), "2467": (49.955, 18.574), "2468": (50.205, 19.275),
    "2469": (50.264, 19.024), "2470": (50.208, 19.166), "2471": (50.382, 18.946), "2472": (50.256, 18.856),
    "2473": (50.095, 18.542), "2474": (50.327, 19.030), "2475": (50.286, 19.104), "2476": (50.296, 18.917),
    "2477": (50.136, 18.999), "2478": (50.324, 18.786), "2479": (50.045, 18.700),
    "2661": (50.866, 20.628),
    "2861": (54.156, 19.404), "2862": (53.778, 20.480),
    "3061": (51.763, 18.091), "3062": (52.223, 18.251), "3063": (51.843, 16.575), "3064": (52.406, 16.925),
    "3261": (54.194, 16.172), "3262": (53.428, 14.553), "3263": (53.910, 14.247),
}  # fmt: skip
# The voivodeship capitals (powiat codes), where most of a region's cooperatives and their partners are.
VOIVODESHIP_CAPITALS = frozenset({
    "0264", "0461", "0463", "0663", "0861", "0862", "1061", "1261", "1465", "1661", "1863", "2061", "2261", "2469",
    "2661", "2862", "3064", "3262",
})  # fmt: skip
# The largest cities draw more (approximation following population: Warsaw about 1.8 million, the next ones
# 0.4-0.8 million).
LARGE_CITY_WEIGHTS = {"1465": 150, "1261": 80, "1061": 70, "0264": 70, "3064": 60, "2261": 50, "3262": 45}
# A street address in a city lies within about 1.5 km of its centre.
CITY_JITTER_DEGREES = 0.015

# New registrations per year. Shaped to docs/domain.md's totals (139 registered at the end of 2007, 1,262 in 2014,
# about 1,500 from 2019 on with registrations and deletions roughly balancing): fast growth until 2014, then a
# steady trickle. Relative weights, not counts.
REGISTRATIONS_PER_YEAR: dict[int, int] = {
    2006: 25, 2007: 115, 2008: 110, 2009: 130, 2010: 150, 2011: 165, 2012: 175, 2013: 185, 2014: 190,
    2015: 95, 2016: 80, 2017: 65, 2018: 60, 2019: 55, 2020: 40, 2021: 40, 2022: 35, 2023: 35, 2024: 30, 2025: 30,
}  # fmt: skip

# Status shares (docs/domain.md: about 60-65% active, about 15% in liquidation; the rest inactive or deleted), and
# the least number of years between registration and the status (inactive means two years without revenue).
STATUS_SHARES: dict[str, float] = {
    Cooperative.Status.ACTIVE: 0.63,
    Cooperative.Status.LIQUIDATION: 0.15,
    Cooperative.Status.INACTIVE: 0.13,
    Cooperative.Status.DELETED: 0.09,
}
STATUS_MIN_AGE_YEARS = {
    Cooperative.Status.ACTIVE: 0,
    Cooperative.Status.LIQUIDATION: 2,
    Cooperative.Status.INACTIVE: 3,
    Cooperative.Status.DELETED: 4,
}

# Approximation: most cooperatives are founded by natural persons.
FOUNDER_TYPE_WEIGHTS = {
    Cooperative.FounderType.NATURAL_PERSONS: 75,
    Cooperative.FounderType.LEGAL_PERSONS: 15,
    Cooperative.FounderType.MIXED: 10,
}
# How often each natural-person category founds a cooperative (approximation: the unemployed dominate).
NATURAL_FOUNDER_WEIGHTS = {
    "bezrobotni": 12, "niepelnosprawni": 5, "poszukujacy-pracy": 3, "poszukujacy-pracy-po-50": 2,
    "poszukujacy-pracy-do-30": 2, "absolwenci-cis-kis": 2, "opiekunowie-niepelnosprawnych": 1, "usamodzielniani": 1,
    "bezdomni": 1, "uzaleznieni-alkohol": 1, "uzaleznieni-narkotyki": 1, "chorzy-psychicznie": 1,
    "zwalniani-z-zakladow-karnych": 1, "uchodzcy-program-integracji": 1,
}  # fmt: skip
LEGAL_FOUNDER_WEIGHTS = {"organizacje-pozarzadowe": 60, "jst": 35, "koscielne-osoby-prawne": 5}

# Demo contact data use the reserved .example top-level domain (RFC 2606): nothing reaches a real mailbox or site.
DEMO_DOMAIN_SUFFIX = "example"


@dataclass(frozen=True)
class Sector:
    """A top-level offer category with what a cooperative of that sector is called, does and codes as PKD.

    pkd: typical PKD 2007 subclasses, the first being the usual main activity.
    offers: per sub-category slug, (title, CPV code) pairs.
    """

    weight: int
    name_words: tuple[str, ...]
    pkd: tuple[str, ...]
    about: tuple[str, ...]
    offers: dict[str, tuple[tuple[str, str], ...]]
    prices: tuple[str, ...]


# Sector weights are an approximation: catering, cleaning, construction and greenery are the most common trades.
SECTORS: dict[str, Sector] = {
    "gastronomia": Sector(
        20,
        ("Smaki Regionu", "Dobre Smaki", "Smakosz", "Kuchnia Mamy", "Obiadek", "Smaczny Kąsek", "Domowe Obiady",
         "Zdrowa Kuchnia", "Pod Lipą", "Garnuszek", "Chlebek", "Pyszności"),
        ("56.21.Z", "56.10.A", "56.29.Z", "10.71.Z", "56.10.B"),
        ("Przygotowujemy posiłki z lokalnych produktów, według tradycyjnych receptur.",
         "Codziennie dowozimy obiady do szkół, przedszkoli i ośrodków pomocy społecznej.",
         "Prowadzimy bar i obsługujemy uroczystości rodzinne oraz spotkania firmowe."),
        {
            "catering": (("Catering na konferencje i szkolenia", "55520000-1"),
                         ("Catering okolicznościowy", "55520000-1"),
                         ("Przerwy kawowe dla firm i instytucji", "55520000-1")),
            "stolowki": (("Obiady dla szkół i przedszkoli", "55524000-9"),
                         ("Prowadzenie stołówki pracowniczej", "55510000-8"),
                         ("Obiady domowe na wynos", "55300000-3")),
            "wypieki": (("Ciasta i wypieki na zamówienie", "15810000-9"),
                        ("Pierogi i garmażerka", "15894300-4"),
                        ("Pieczywo z tradycyjnej piekarni", "15811100-7")),
        },
        ("od 25 zł za osobę", "ceny zależne od menu", "wycena indywidualna", "rabaty dla stałych klientów"),
    ),
    "sprzatanie": Sector(
        15,
        ("Czysty Dom", "Błysk", "Czyste Miasto", "Lśniąco", "Porządek", "Eko-Serwis", "Perfekcja", "Czysta Sprawa"),
        ("81.21.Z", "81.22.Z", "81.29.Z", "96.01.Z"),
        ("Sprzątamy biura, szkoły i klatki schodowe z użyciem bezpiecznych środków.",
         "Utrzymujemy w czystości tereny osiedli i obiektów użyteczności publicznej.",
         "Prowadzimy pralnię i magiel dla instytucji i klientów indywidualnych."),
        {
            "sprzatanie-obiektow": (("Sprzątanie biur i urzędów", "90911200-8"),
                                    ("Sprzątanie klatek schodowych", "90911000-6"),
                                    ("Mycie okien i przeszkleń", "90911300-9")),
            "pralnia": (("Pranie i maglowanie pościeli", "98310000-9"),
                        ("Pranie odzieży roboczej", "98311000-6")),
            "utrzymanie-czystosci": (("Utrzymanie czystości terenów zewnętrznych", "90610000-6"),
                                     ("Sprzątanie po remontach", "90910000-9")),
        },
        ("stawka godzinowa od 35 zł", "wycena po oględzinach", "ryczałt miesięczny do uzgodnienia",
         "wycena indywidualna"),
    ),
    "budownictwo": Sector(
        12,
        ("Złota Rączka", "Remont-Bud", "Fachowiec", "Budowlani", "Solidna Ekipa", "Mistrz", "Dom i Wnętrze",
         "Kielnia"),
        ("43.39.Z", "43.34.Z", "43.31.Z", "43.21.Z", "43.22.Z", "41.20.Z"),
        ("Wykonujemy remonty mieszkań, lokali komunalnych i budynków użyteczności publicznej.",
         "Nasza ekipa zajmuje się malowaniem, tynkowaniem i układaniem płytek.",
         "Realizujemy drobne naprawy i prace wykończeniowe dla zarządców nieruchomości."),
        {
            "remonty": (("Remonty mieszkań i lokali", "45453000-7"),
                        ("Malowanie i tapetowanie", "45442100-8"),
                        ("Układanie płytek i podłóg", "45431000-7")),
            "prace-budowlane": (("Prace ogólnobudowlane", "45000000-7"),
                                ("Termomodernizacja budynków", "45321000-3"),
                                ("Budowa ogrodzeń", "45340000-2")),
            "instalacje": (("Drobne naprawy i konserwacja budynków", "50700000-2"),
                           ("Instalacje elektryczne", "45310000-3"),
                           ("Instalacje wodno-kanalizacyjne", "45330000-9")),
        },
        ("wycena po oględzinach", "od 60 zł za godzinę pracy", "kosztorys bezpłatnie"),
    ),
    "zielen": Sector(
        10,
        ("Zielona Dolina", "Zielony Zakątek", "Ogrody Marzeń", "Eko-Ogród", "Zieleń Miejska", "Leśny Zakątek",
         "Zielone Miasto", "Kwitnąca Łąka"),
        ("81.30.Z", "01.30.Z", "81.29.Z"),
        ("Pielęgnujemy tereny zielone gmin, wspólnot mieszkaniowych i firm.",
         "Zakładamy ogrody, trawniki i nasadzenia, a zimą odśnieżamy chodniki i parkingi.",
         "Koszenie, przycinanie drzew i krzewów oraz grabienie liści to nasza codzienna praca."),
        {
            "pielegnacja-zieleni": (("Koszenie trawników i terenów zielonych", "77314100-5"),
                                    ("Pielęgnacja drzew i krzewów", "77211400-6"),
                                    ("Utrzymanie zieleni miejskiej", "77310000-6")),
            "ogrody": (("Zakładanie ogrodów i trawników", "77310000-6"),
                       ("Projektowanie ogrodów", "71421000-5")),
            "odsniezanie": (("Odśnieżanie chodników i parkingów", "90620000-9"),
                            ("Zimowe utrzymanie terenów", "90630000-2")),
        },
        ("od 45 zł za godzinę", "wycena indywidualna", "ryczałt miesięczny do uzgodnienia"),
    ),
    "opieka": Sector(
        8,
        ("Pomocna Dłoń", "Dobra Opieka", "Serce", "Przyjazny Dom", "Złota Jesień", "Bliżej Ciebie", "Troska",
         "Dom Seniora"),
        ("88.10.Z", "87.30.Z", "88.91.Z", "87.10.Z"),
        ("Świadczymy usługi opiekuńcze w domach osób starszych i z niepełnosprawnościami.",
         "Na zlecenie ośrodków pomocy społecznej prowadzimy specjalistyczne usługi opiekuńcze.",
         "Prowadzimy klub seniora i dzienną opiekę nad dziećmi."),
        {
            "opieka-seniorzy": (("Usługi opiekuńcze w miejscu zamieszkania", "85312000-9"),
                                ("Dzienny dom opieki dla seniorów", "85311100-3")),
            "opieka-dzieci": (("Opieka nad dziećmi do lat 3", "85312110-3"),
                              ("Świetlica dla dzieci", "85312100-0")),
            "asystencja": (("Asystencja osobista osób z niepełnosprawnościami", "85312000-9"),
                           ("Przewóz i asystent na zakupach", "85310000-5")),
        },
        ("od 32 zł za godzinę", "według stawek ośrodka pomocy społecznej", "wycena indywidualna"),
    ),
    "edukacja": Sector(
        7,
        ("Akademia Rozwoju", "Krok Dalej", "Wiedza i Praca", "Mała Akademia", "Bajkowy Świat", "Edukator",
         "Kraina Zabawy", "Sowa"),
        ("85.59.B", "85.59.A", "85.10.Z", "88.91.Z", "85.60.Z"),
        ("Prowadzimy niepubliczne przedszkole i żłobek.",
         "Organizujemy szkolenia zawodowe i warsztaty kompetencji społecznych.",
         "Uczymy języków obcych i prowadzimy zajęcia dodatkowe dla dzieci."),
        {
            "szkolenia": (("Szkolenia zawodowe dla dorosłych", "80530000-8"),
                          ("Warsztaty kompetencji społecznych", "80500000-9"),
                          ("Kursy komputerowe dla seniorów", "80533100-0")),
            "przedszkola": (("Niepubliczne przedszkole", "80110000-8"),
                            ("Żłobek i klub dziecięcy", "85312110-3")),
            "zajecia-dodatkowe": (("Zajęcia z języka angielskiego dla dzieci", "80580000-3"),
                                  ("Zajęcia plastyczne i teatralne", "80000000-4"),
                                  ("Korepetycje i zajęcia wyrównawcze", "80100000-5")),
        },
        ("od 40 zł za godzinę zajęć", "wycena dla grup", "wycena indywidualna"),
    ),
    "rekodzielo": Sector(
        6,
        ("Manufaktura", "Pracownia Rękodzieła", "Igła i Nitka", "Drewniane Cuda", "Sztuka Ludowa", "Wiklina",
         "Ceramika Razem", "Pracownia Marzeń"),
        ("32.99.Z", "14.13.Z", "16.29.Z", "31.09.Z", "13.92.Z"),
        ("Tworzymy rękodzieło artystyczne i upominki inspirowane tradycją regionu.",
         "Szyjemy odzież, pościel i torby na zamówienie.",
         "W naszej stolarni powstają meble, zabawki i elementy małej architektury."),
        {
            "rekodzielo-artystyczne": (("Upominki i prezenty firmowe z rękodzieła", "39298900-6"),
                                       ("Ceramika artystyczna", "44111300-4"),
                                       ("Wyroby z wikliny", "39298900-6")),
            "krawiectwo": (("Szycie odzieży roboczej", "18110000-3"),
                           ("Szycie toreb i galanterii", "18930000-7"),
                           ("Naprawy i przeróbki krawieckie", "50830000-2")),
            "stolarstwo": (("Meble na wymiar", "39100000-3"),
                           ("Domki dla ptaków i karmniki", "39298900-6"),
                           ("Ławki i mała architektura", "37535200-9")),
        },
        ("od 20 zł za sztukę", "wycena indywidualna", "rabaty przy zamówieniach hurtowych"),
    ),
    "turystyka": Sector(
        5,
        ("Przystań", "Zielony Szlak", "Gościniec", "Leśna Ostoja", "Turystyczny Zakątek", "Siedlisko",
         "Dworek"),
        ("55.10.Z", "55.20.Z", "79.12.Z", "79.90.C"),
        ("Prowadzimy dom gościnny z pokojami dla grup i rodzin.",
         "Organizujemy wycieczki, rajdy i zielone szkoły.",
         "Zapraszamy do agroturystyki z regionalną kuchnią."),
        {
            "noclegi": (("Noclegi dla grup zorganizowanych", "55100000-1"),
                        ("Pokoje gościnne", "55200000-2")),
            "wycieczki": (("Wycieczki szkolne i zielone szkoły", "63516000-9"),
                          ("Przewodnik po okolicy", "63511000-4")),
            "agroturystyka": (("Pobyty w gospodarstwie agroturystycznym", "55200000-2"),
                              ("Warsztaty zagrodowe dla dzieci", "92331210-5")),
        },
        ("od 45 zł za osobę", "pakiety dla grup", "wycena indywidualna"),
    ),
    "poligrafia": Sector(
        4,
        ("Drukarnia Społeczna", "Kreatywni", "Art-Druk", "Pixel", "Studio Reklamy", "Pracownia Graficzna"),
        ("18.12.Z", "73.11.Z", "74.10.Z", "18.13.Z"),
        ("Drukujemy ulotki, plakaty i materiały promocyjne.",
         "Projektujemy identyfikację wizualną dla organizacji i samorządów.",
         "Znakujemy gadżety reklamowe i odzież."),
        {
            "druk": (("Druk ulotek i plakatów", "79810000-5"), ("Druk cyfrowy małych nakładów", "79823000-9")),
            "projektowanie": (("Projektowanie graficzne i logo", "79822500-7"),
                              ("Skład publikacji i broszur", "79822300-5")),
            "gadzety": (("Gadżety reklamowe z nadrukiem", "39294100-0"), ("Znakowanie odzieży", "79342000-3")),
        },
        ("wycena indywidualna", "rabaty przy większych nakładach", "ceny zależne od nakładu"),
    ),
    "transport": Sector(
        3,
        ("Trans-Pomoc", "Przewozy Razem", "Bezpieczny Przewóz", "Mobilni", "Szerokiej Drogi"),
        ("49.39.Z", "49.41.Z", "49.42.Z", "49.32.Z"),
        ("Przewozimy osoby z niepełnosprawnościami i dzieci do szkół.",
         "Wykonujemy przeprowadzki i transport rzeczy."),
        {
            "przewoz-osob": (("Dowóz dzieci do szkół", "60130000-8"),
                             ("Przewóz osób z niepełnosprawnościami", "60130000-8")),
            "przeprowadzki": (("Przeprowadzki i transport mebli", "98392000-7"),
                              ("Transport i utylizacja gabarytów", "60100000-9")),
        },
        ("od 3 zł za km", "od 150 zł za kurs", "wycena indywidualna"),
    ),
    "biuro-it": Sector(
        3,
        ("Biuro Plus", "Infoserwis", "Cyfrowa Pracownia", "Bit", "Rachmistrz", "Sekretariat"),
        ("69.20.Z", "82.11.Z", "62.01.Z", "63.11.Z", "82.19.Z"),
        ("Prowadzimy księgowość organizacji pozarządowych i małych firm.",
         "Tworzymy strony internetowe dostępne dla osób z niepełnosprawnościami.",
         "Zajmujemy się digitalizacją dokumentów i obsługą sekretariatu."),
        {
            "ksiegowosc": (("Księgowość dla organizacji pozarządowych", "79211000-6"),
                           ("Obsługa kadrowo-płacowa", "79631000-6")),
            "strony-www": (("Strony internetowe zgodne z WCAG", "72000000-5"),
                           ("Obsługa informatyczna biur", "72000000-5")),
            "obsluga-biura": (("Digitalizacja dokumentów", "79999100-4"),
                              ("Obsługa sekretariatu i recepcji", "79500000-9")),
        },
        ("wycena indywidualna", "abonament miesięczny do uzgodnienia"),
    ),
    "spoleczne-kulturalne": Sector(
        4,
        ("Animatorzy", "Kultura Razem", "Fabryka Pomysłów", "Scena", "Inicjatywa", "Świetlica"),
        ("90.01.Z", "93.29.Z", "82.30.Z", "88.99.Z", "94.99.Z"),
        ("Organizujemy festyny, pikniki i wydarzenia kulturalne.",
         "Prowadzimy animację czasu wolnego dla dzieci i seniorów.",
         "Wspieramy lokalne społeczności w organizowaniu wydarzeń."),
        {
            "wydarzenia": (("Organizacja festynów i pikników", "79952000-2"),
                           ("Obsługa konferencji", "79951000-5")),
            "animacja": (("Animacje dla dzieci", "92331210-5"), ("Półkolonie i ferie w mieście", "55243000-5")),
            "kultura": (("Warsztaty teatralne i muzyczne", "92312000-1"),
                        ("Koncerty i spektakle", "92310000-7")),
        },
        ("od 400 zł za wydarzenie", "od 60 zł za godzinę zajęć", "wycena indywidualna"),
    ),
    "rolnictwo": Sector(
        2,
        ("Zdrowa Żywność", "Smaki Wsi", "Ekologiczne Pole", "Sad", "Pszczela Dolina", "Zagroda"),
        ("01.13.Z", "01.47.Z", "10.39.Z", "01.24.Z"),
        ("Uprawiamy warzywa i owoce metodami ekologicznymi.",
         "Przetwarzamy owoce na soki, dżemy i konfitury."),
        {
            "uprawa": (("Warzywa z ekologicznej uprawy", "03221000-6"), ("Miód z własnej pasieki", "15831600-8")),
            "przetworstwo": (("Soki, dżemy i przetwory", "15332000-4"),
                             ("Kiszonki i przetwory warzywne", "15331000-7")),
        },
        ("ceny hurtowe do uzgodnienia", "cennik na życzenie"),
    ),
    "inne": Sector(
        1,
        ("Wielobranżowa", "Usługi Razem", "Serwis", "Uniwersalni", "Pomocni"),
        ("96.09.Z", "38.11.Z", "95.29.Z"),
        ("Świadczymy różne usługi dla mieszkańców i instytucji.",),
        {"inne-uslugi": (("Usługi porządkowe i pomocnicze", "98300000-6"), ("Zbiórka odpadów", "90511000-2"))},
        ("wycena indywidualna", "ceny do uzgodnienia"),
    ),
}  # fmt: skip

# Names any cooperative can take, whatever it does.
GENERIC_NAME_WORDS = (
    "Razem", "Nadzieja", "Szansa", "Perspektywa", "Horyzont", "Promyk", "Tęcza", "Kuźnia", "Nowy Start",
    "Wspólna Sprawa", "Dobry Start", "Pod Dębem", "Pod Kasztanem", "Opoka", "Arka", "Alternatywa", "Integracja",
    "Krok po Kroku", "Impuls", "Wiatrak", "Źródło", "Iskra", "Jutrzenka", "Aktywni", "Razem Łatwiej",
    "Dobre Miejsce", "Otwarte Drzwi", "Most", "Pasja", "Przyszłość", "Sąsiedzi", "Wspólnota", "Dobra Robota",
    "Wsparcie", "Ostoja", "Przystanek", "Bursztyn", "Feniks", "Kompas", "Ogniwo", "Rozwój", "Słonecznik",
)  # fmt: skip
NAME_SUFFIXES = ("", "", "", "", "", " Plus", " II", " Bis", " Serwis", " Team")

# PKD 2025 kept these subclasses under the same code as PKD 2007 (to our knowledge; unsure codes stay in 2007,
# which is accepted until the end of 2026). Cooperatives registered in 2025 report them as PKD 2025.
PKD_SAME_IN_2025 = frozenset({"81.21.Z", "81.22.Z", "81.30.Z", "88.10.Z", "88.91.Z", "87.30.Z", "55.10.Z"})

SERVICE_AREA_WEIGHTS = {
    Offer.ServiceArea.LOCAL: 35,
    Offer.ServiceArea.POWIATS: 30,
    Offer.ServiceArea.VOIVODESHIPS: 25,
    Offer.ServiceArea.NATIONAL: 10,
}
SERVICE_AREA_SENTENCES = {
    Offer.ServiceArea.LOCAL: "Działamy na terenie naszej gminy.",
    Offer.ServiceArea.POWIATS: "Obsługujemy klientów z naszego i sąsiednich powiatów.",
    Offer.ServiceArea.VOIVODESHIPS: "Realizujemy zlecenia w całym regionie.",
    Offer.ServiceArea.NATIONAL: "Realizujemy zamówienia w całej Polsce.",
}
OFFERS_PER_COOPERATIVE_WEIGHTS = {1: 20, 2: 25, 3: 25, 4: 18, 5: 12}
OFFER_ACTIVE_SHARE = {
    Cooperative.Status.ACTIVE: 0.92,
    Cooperative.Status.LIQUIDATION: 0.4,
    Cooperative.Status.INACTIVE: 0.2,
    Cooperative.Status.DELETED: 0.0,
}


# --- Public interface ------------------------------------------------------------------------------------


class RegistryNotEmpty(Exception):
    """The registry already holds cooperatives and the caller did not ask to replace the demo data."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(
            f"The registry already holds {count} cooperatives. Use --replace to replace the demo data "
            "(only rows marked as demo are deleted; real records are kept)."
        )


@dataclass
class SeedResult:
    cooperatives: int = 0
    offers: int = 0
    rows: int = 0  # every inserted row, including activities and many-to-many links
    deleted_cooperatives: int = 0


def voivodeship_weights() -> dict[str, float]:
    """Share of cooperatives per voivodeship code, in per cent."""
    return {v.code: v.weight for v in VOIVODESHIPS}


def allocate(total: int, weights: dict) -> dict:
    """Split `total` in proportion to `weights` exactly (largest remainder), so small runs keep the real shape."""
    weight_sum = sum(weights.values())
    quotas = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: int(quota) for key, quota in quotas.items()}
    by_remainder = sorted(weights, key=lambda key: (-(quotas[key] - counts[key]), str(key)))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _reverse_relations(model) -> set[tuple[type, str]]:
    return {
        (field.related_model, field.field.attname)
        for field in model._meta.get_fields(include_hidden=True)
        if (field.one_to_many or field.one_to_one) and field.auto_created and not field.concrete
    }


def _set_based_delete_is_safe() -> bool:
    """Whether only this app's tables (all CASCADE) point at cooperatives and the rows that go with them.

    Another app's foreign key (perhaps PROTECT) needs the ORM's collector, which honours on_delete.
    """
    known_cooperative = {
        (Cooperative.founder_kinds.through, "cooperative_id"),
        (Cooperative.target_groups.through, "cooperative_id"),
        (CooperativeActivity, "cooperative_id"),
        (Offer, "cooperative_id"),
        (Membership, "cooperative_id"),
    }
    known_offer = {(Offer.area_powiats.through, "offer_id"), (Offer.area_voivodeships.through, "offer_id")}
    return (
        _reverse_relations(Cooperative) == known_cooperative
        and _reverse_relations(Offer) == known_offer
        and not _reverse_relations(CooperativeActivity)
        and not _reverse_relations(Membership)
    )


def delete_demo_data() -> int:
    """Delete generated cooperatives (and with them their offers, activities and links). Real rows stay."""
    demo = Cooperative.objects.filter(is_demo=True)
    count = demo.count()
    if not count:
        return 0
    with transaction.atomic():
        if _set_based_delete_is_safe():
            # One DELETE ... WHERE ... IN (subquery) per table, children first. QuerySet.delete() would load every
            # row into memory and delete in small chunks: minutes at 100,000 cooperatives.
            demo_ids = demo.order_by().values("pk")
            demo_offer_ids = Offer.objects.filter(cooperative__in=demo_ids).order_by().values("pk")
            for through in (Offer.area_powiats.through, Offer.area_voivodeships.through):
                _delete_where(through, "offer_id", demo_offer_ids)
            for model in (
                Offer,
                CooperativeActivity,
                Membership,
                Cooperative.founder_kinds.through,
                Cooperative.target_groups.through,
            ):
                _delete_where(model, "cooperative_id", demo_ids)
            _delete_where(Cooperative, Cooperative._meta.pk.column, demo_ids)
        else:
            demo.delete()
    cache.delete(DEMO_FLAG_CACHE_KEY)
    return count


def _delete_where(model, column: str, subquery) -> None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql, params = subquery.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({sql})", params)


def generate_demo_registry(
    *,
    scale: int = DEFAULT_SCALE,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
    offer_weights: dict[int, float] | None = None,
) -> SeedResult:
    """Generate `scale` demo cooperatives with 1-5 offers each, all or nothing.

    Refuses (RegistryNotEmpty) when the registry holds cooperatives, unless `replace`, which deletes only demo rows.
    Loads the territorial units first when they are missing. `progress` is called with the number of cooperatives
    of each finished batch. `offer_weights` (number of offers: weight) replaces the sector's usual 1-5 offers per
    cooperative (mean 2.8), e.g. for the benchmark's 3 offers per cooperative.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not TerritorialUnit.objects.exists():
        load_territorial_units()
    result = SeedResult()
    with transaction.atomic():
        existing = Cooperative.objects.count()
        if existing:
            if not replace:
                raise RegistryNotEmpty(existing)
            result.deleted_cooperatives = delete_demo_data()
        generator = _Generator(seed=seed, offer_weights=offer_weights)
        plan = generator.plan(scale)
        for start in range(0, len(plan), batch_size):
            batch = plan[start : start + batch_size]
            generator.create_batch(batch, result)
            if progress:
                progress(len(batch))
    cache.delete(DEMO_FLAG_CACHE_KEY)
    return result


# --- The generator ---------------------------------------------------------------------------------------


@dataclass
class _PlannedCooperative:
    voivodeship: str
    status: str
    registered_on: datetime.date
    krs_number: str = ""


@dataclass
class _Pending:
    """A built cooperative with the rows that need its primary key."""

    cooperative: Cooperative
    target_group_ids: list[int]
    founder_kind_ids: list[int]
    activities: list[CooperativeActivity]
    offers: list[tuple[Offer, list[str], list[str]]] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _years_after(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _point_in_circle(rng: random.Random, centre: tuple[float, float], radius_km: float) -> tuple[float, float]:
    """A uniformly distributed point within radius_km of centre (equirectangular approximation)."""
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    lat = centre[0] + distance * math.sin(angle) / 111.32
    lon = centre[1] + distance * math.cos(angle) / (111.32 * math.cos(math.radians(centre[0])))
    return lat, lon


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


class _Generator:
    def __init__(self, *, seed: int, offer_weights: dict[int, float] | None = None):
        self.rng = random.Random(seed)
        self.offer_weights = offer_weights or OFFERS_PER_COOPERATIVE_WEIGHTS
        self.fake = Faker("pl_PL")
        self.fake.seed_instance(seed)
        self._load_dictionaries()
        self.used_nips = set(Cooperative.objects.exclude(nip="").values_list("nip", flat=True))
        self.used_regons = set(Cooperative.objects.exclude(regon="").values_list("regon", flat=True))
        self.used_krs = set(Cooperative.objects.values_list("krs_number", flat=True))

    def _load_dictionaries(self):
        gminas_by_voivodeship: dict[str, list[TerritorialUnit]] = {}
        for gmina in TerritorialUnit.objects.gminas().order_by("code"):
            gminas_by_voivodeship.setdefault(gmina.code[:2], []).append(gmina)
        self.gminas = gminas_by_voivodeship
        # Cooperatives cluster in towns: cities with powiat rights most, then towns, then rural gminas.
        self.gmina_weights = {
            code: [self._gmina_weight(gmina) for gmina in gminas] for code, gminas in gminas_by_voivodeship.items()
        }
        self.powiats: dict[str, list[str]] = {}
        for code in TerritorialUnit.objects.powiats().order_by("code").values_list("code", flat=True):
            self.powiats.setdefault(code[:2], []).append(code)
        self.voivodeship_codes = sorted(self.gminas)
        self.gmina_points: dict[str, tuple[float, float]] = {}

        categories = {c.slug: c for c in OfferCategory.objects.select_related("parent")}
        missing = {slug for sector in SECTORS.values() for slug in sector.offers} - set(categories)
        if missing:
            raise RuntimeError(f"Offer categories missing (migrations not applied?): {sorted(missing)}")
        self.categories = categories
        self.target_groups = {g.code: g.pk for g in TargetGroup.objects.all()}
        self.target_group_names = {g.code: g.name for g in TargetGroup.objects.all()}
        self.founder_kinds = {k.code: k for k in FounderKind.objects.all()}

    @staticmethod
    def _gmina_weight(gmina: TerritorialUnit) -> int:
        is_city_with_powiat_rights = gmina.gmina_kind == TerritorialUnit.GminaKind.URBAN and gmina.code[2:4] >= "61"
        if is_city_with_powiat_rights and gmina.code[:4] in LARGE_CITY_WEIGHTS:
            return LARGE_CITY_WEIGHTS[gmina.code[:4]]
        if is_city_with_powiat_rights and gmina.code[:4] in VOIVODESHIP_CAPITALS:
            return 40
        if is_city_with_powiat_rights:
            return 12
        if gmina.gmina_kind == TerritorialUnit.GminaKind.URBAN:
            return 3
        if gmina.gmina_kind == TerritorialUnit.GminaKind.URBAN_RURAL:
            return 2
        return 1

    # Plan: who is where, since when and in which status; KRS numbers grow with the registration date.

    def plan(self, scale: int) -> list[_PlannedCooperative]:
        rng = self.rng
        voivodeships = [code for code, n in allocate(scale, voivodeship_weights()).items() for _ in range(n)]
        statuses = [status for status, n in allocate(scale, STATUS_SHARES).items() for _ in range(n)]
        rng.shuffle(voivodeships)
        rng.shuffle(statuses)
        plan = []
        for voivodeship, status in zip(voivodeships, statuses, strict=True):
            last_year = REFERENCE_DATE.year - STATUS_MIN_AGE_YEARS[status]
            years = {year: weight for year, weight in REGISTRATIONS_PER_YEAR.items() if year <= last_year}
            year = _weighted(rng, years)
            start = max(FIRST_REGISTRATION, datetime.date(year, 1, 1))
            registered_on = _date_between(rng, start, datetime.date(year, 12, 31))
            plan.append(_PlannedCooperative(voivodeship, status, registered_on))
        plan.sort(key=lambda item: item.registered_on)
        # Social cooperatives' KRS numbers run from about 0000250000 (2006) upwards.
        span = max(900_000, 3 * scale)
        numbers = sorted(rng.sample(range(250_000, 250_000 + span), scale + len(self.used_krs)))
        numbers = [f"{n:010d}" for n in numbers if f"{n:010d}" not in self.used_krs][:scale]
        for item, number in zip(plan, numbers, strict=True):
            item.krs_number = number
        return plan

    # Identifiers: digits at random, the check digit from python-stdnum.

    def nip(self) -> str:
        while True:
            # The first three digits are a tax office's code, never starting with 0.
            body = str(self.rng.randint(100_000_000, 999_999_999))
            check = stdnum_nip.checksum(body + "0")  # the weighted sum of the body, i.e. the check digit
            number = f"{body}{check}"
            if check < 10 and stdnum_nip.is_valid(number) and number not in self.used_nips:
                self.used_nips.add(number)
                return number

    def regon(self) -> str:
        while True:
            body = str(self.rng.randint(10_000_000, 99_999_999))
            number = body + stdnum_regon.calc_check_digit(body)
            if number not in self.used_regons:
                self.used_regons.add(number)
                return number

    # One cooperative.

    def location(self, gmina: TerritorialUnit) -> tuple[Decimal, Decimal, str]:
        """A street address near the city centre for cities with powiat rights, else the gmina's demo centre."""
        city = CITY_CENTRES.get(gmina.code[:4])
        if city and gmina.gmina_kind == TerritorialUnit.GminaKind.URBAN:
            lat = city[0] + self.rng.uniform(-CITY_JITTER_DEGREES, CITY_JITTER_DEGREES)
            lon = city[1] + self.rng.uniform(-CITY_JITTER_DEGREES, CITY_JITTER_DEGREES)
            return _coordinate(lat), _coordinate(lon), Cooperative.LocationPrecision.EXACT
        point = self.gmina_points.get(gmina.code)
        if point is None:
            # One fixed point per gmina, from its code alone, so every cooperative there shares it.
            facts = VOIVODESHIP_FACTS[gmina.code[:2]]
            point = _point_in_circle(random.Random(gmina.code), facts.centre, facts.radius_km)
            self.gmina_points[gmina.code] = point
        return _coordinate(point[0]), _coordinate(point[1]), Cooperative.LocationPrecision.GMINA_CENTRE

    def name(self, sector: Sector, founder_type: str, status: str) -> tuple[str, str]:
        rng = self.rng
        words = sector.name_words if rng.random() < 0.6 else GENERIC_NAME_WORDS
        core = rng.choice(words) + rng.choice(NAME_SUFFIXES)
        quoted = f"„{core}”" if rng.random() < 0.5 else core
        kind = "Spółdzielnia Socjalna"
        if founder_type == Cooperative.FounderType.LEGAL_PERSONS and rng.random() < 0.5:
            kind = "Spółdzielnia Socjalna Osób Prawnych"
        name = f"{kind} {quoted}"
        # A cooperative in liquidation adds "w likwidacji" to its name (Prawo spółdzielcze).
        if status == Cooperative.Status.LIQUIDATION:
            name += " w likwidacji"
        return name, core

    def founders(self, founder_type: str, registered_on: datetime.date) -> list[str]:
        rng = self.rng
        codes: list[str] = []
        if founder_type != Cooperative.FounderType.LEGAL_PERSONS:
            allowed = {
                code: weight
                for code, weight in NATURAL_FOUNDER_WEIGHTS.items()
                if code in self.founder_kinds and self._allowed_on(self.founder_kinds[code].legal_basis, registered_on)
            }
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                code = _weighted(rng, allowed)
                if code not in codes:
                    codes.append(code)
            if rng.random() < 0.3:
                codes.append("inne-osoby")
        if founder_type != Cooperative.FounderType.NATURAL_PERSONS:
            for _ in range(rng.choice((1, 1, 2))):
                code = _weighted(rng, LEGAL_FOUNDER_WEIGHTS)
                if code not in codes:
                    codes.append(code)
        return [code for code in codes if code in self.founder_kinds]

    @staticmethod
    def _allowed_on(basis: str, day: datetime.date) -> bool:
        if basis == "art4_1_pre2018":
            return day < ART4_AMENDMENT
        return True

    def build(self, planned: _PlannedCooperative) -> _Pending:
        rng, fake = self.rng, self.fake
        status, registered_on = planned.status, planned.registered_on
        voivodeship = planned.voivodeship
        gmina = rng.choices(self.gminas[voivodeship], weights=self.gmina_weights[voivodeship])[0]
        sector_slug = _weighted(rng, {slug: sector.weight for slug, sector in SECTORS.items()})
        sector = SECTORS[sector_slug]
        founder_type = _weighted(rng, FOUNDER_TYPE_WEIGHTS)
        name, core = self.name(sector, founder_type, status)
        latitude, longitude, precision = self.location(gmina)

        status_date = None
        if status != Cooperative.Status.ACTIVE:
            earliest = _years_after(registered_on, STATUS_MIN_AGE_YEARS[status])
            status_date = _date_between(rng, earliest, REFERENCE_DATE)

        if founder_type == Cooperative.FounderType.LEGAL_PERSONS:
            members = rng.randint(2, 4)
        elif founder_type == Cooperative.FounderType.MIXED:
            members = rng.randint(5, 12)
        else:
            members = min(50, 5 + int(rng.expovariate(1 / 4)))
        if status == Cooperative.Status.ACTIVE:
            # About five employees on average (docs/domain.md).
            employees = min(60, round(rng.gammavariate(2.0, 2.5)))
            counts_as_of = _date_between(rng, REFERENCE_DATE - datetime.timedelta(days=365), REFERENCE_DATE)
        elif status == Cooperative.Status.LIQUIDATION:
            employees = rng.randint(0, 2)
            counts_as_of = status_date
        else:
            employees = 0
            counts_as_of = status_date

        # Social-enterprise status needs at least three employees (Act on the social economy).
        ps_fields = {}
        if status == Cooperative.Status.ACTIVE and employees >= 3 and rng.random() < 0.3:
            decided_on = _date_between(rng, max(FIRST_PS_DECISION, registered_on), REFERENCE_DATE)
            ps_fields = {
                "is_social_enterprise": True,
                "ps_decision_number": f"WPS-{rng.choice(('I', 'II', 'III', 'IV'))}.9412."
                f"{rng.randint(1, 180)}.{decided_on.year}",
                "ps_voivode_id": voivodeship,
                "ps_decision_date": decided_on,
                "ps_aim": Cooperative.SocialEnterpriseAim.REINTEGRATION
                if rng.random() < 0.85
                else Cooperative.SocialEnterpriseAim.SOCIAL_SERVICES,
            }

        is_ozrss_member = rng.random() < 0.2
        last_audit_date = None
        if is_ozrss_member or rng.random() < 0.3:
            # The statutory audit comes at least every three years.
            audit_from = max(registered_on, REFERENCE_DATE - datetime.timedelta(days=3 * 365))
            audit_to = status_date or REFERENCE_DATE
            if audit_from <= audit_to:
                last_audit_date = _date_between(rng, audit_from, audit_to)

        slug = slugify(fold(core)) or "spoldzielnia"
        postal_code = f"{VOIVODESHIP_FACTS[voivodeship].postal_prefix}{rng.randint(0, 9)}-{rng.randint(0, 999):03d}"
        street = f"ul. {fake.street_name()} {rng.randint(1, 120)}"
        if rng.random() < 0.3:
            street += f"/{rng.randint(1, 40)}"
        has_website = rng.random() < 0.45
        verified_at = None
        if status == Cooperative.Status.ACTIVE and rng.random() < 0.35:
            verified_on = _date_between(rng, REFERENCE_DATE - datetime.timedelta(days=540), REFERENCE_DATE)
            verified_at = datetime.datetime.combine(verified_on, datetime.time(10, 0), tzinfo=datetime.UTC)

        founder_codes = self.founders(founder_type, registered_on)
        target_codes = [code for code in founder_codes if code in self.target_groups]
        if not target_codes or rng.random() < 0.3:
            extra = rng.choice(sorted(self.target_groups))
            if extra not in target_codes:
                target_codes.append(extra)

        about = [
            f"Spółdzielnia powstała w {registered_on.year} r. w gminie {gmina.name}.",
            *rng.sample(sector.about, k=min(len(sector.about), rng.randint(1, 2))),
            "Wśród członków i pracowników są m.in. "
            + " oraz ".join(self.target_group_names[code] for code in target_codes[:2])
            + ".",
        ]
        cooperative = Cooperative(
            name=name,
            short_name=core if rng.random() < 0.7 else "",
            krs_number=planned.krs_number,
            nip=self.nip(),
            regon=self.regon(),
            founder_type=founder_type,
            krs_registration_date=registered_on,
            status=status,
            status_date=status_date,
            street=street,
            postal_code=postal_code,
            town=gmina.name,
            gmina=gmina,
            latitude=latitude,
            longitude=longitude,
            location_precision=precision,
            email=f"{rng.choice(('biuro', 'kontakt', 'sekretariat', 'spoldzielnia'))}@{slug}.{DEMO_DOMAIN_SUFFIX}",
            phone=fake.phone_number(),
            website=f"https://{slug}.{DEMO_DOMAIN_SUFFIX}/" if has_website else "",
            publish_email=rng.random() < 0.6,
            publish_phone=rng.random() < 0.5,
            publish_website=has_website and rng.random() < 0.9,
            description=" ".join(about),
            members_count=members,
            employees_count=employees,
            counts_as_of=counts_as_of,
            has_quality_mark=status == Cooperative.Status.ACTIVE and rng.random() < 0.05,
            is_ozrss_member=is_ozrss_member,
            last_audit_date=last_audit_date,
            verified_at=verified_at,
            is_demo=True,
            **ps_fields,
        )
        cooperative.refresh_derived_fields()
        pending = _Pending(
            cooperative=cooperative,
            target_group_ids=[self.target_groups[code] for code in target_codes],
            founder_kind_ids=[self.founder_kinds[code].pk for code in founder_codes],
            activities=self.activities(sector, registered_on),
        )
        pending.offers = self.offers(cooperative, sector_slug)
        return pending

    def activities(self, sector: Sector, registered_on: datetime.date) -> list[CooperativeActivity]:
        rng = self.rng
        main = sector.pkd[0] if rng.random() < 0.6 else rng.choice(sector.pkd)
        others = [code for code in rng.sample(sector.pkd, k=min(len(sector.pkd), rng.randint(0, 3))) if code != main]
        if rng.random() < 0.3:
            other_sector = SECTORS[rng.choice(sorted(SECTORS))]
            code = rng.choice(other_sector.pkd)
            if code != main and code not in others:
                others.append(code)

        def version(code: str) -> str:
            if registered_on.year >= 2025 and code in PKD_SAME_IN_2025:
                return PkdVersion.PKD_2025
            return PkdVersion.PKD_2007

        return [CooperativeActivity(code=main, version=version(main), is_main=True)] + [
            CooperativeActivity(code=code, version=version(code), is_main=False) for code in others
        ]

    def offers(self, cooperative: Cooperative, sector_slug: str) -> list[tuple[Offer, list[str], list[str]]]:
        rng = self.rng
        count = _weighted(rng, self.offer_weights)
        chosen: list[tuple[str, str, str, str]] = []  # (sector, sub-category, title, cpv)
        titles: set[str] = set()
        attempts = 0
        while len(chosen) < count and attempts < 20:
            attempts += 1
            slug = sector_slug if not chosen or rng.random() < 0.75 else rng.choice(sorted(SECTORS))
            sub = rng.choice(sorted(SECTORS[slug].offers))
            title, cpv = rng.choice(SECTORS[slug].offers[sub])
            if title not in titles:
                titles.add(title)
                chosen.append((slug, sub, title, cpv))

        offers = []
        status = cooperative.status
        for slug, sub, title, cpv in chosen:
            sector = SECTORS[slug]
            area = _weighted(rng, SERVICE_AREA_WEIGHTS)
            powiat_codes: list[str] = []
            voivodeship_codes: list[str] = []
            if area == Offer.ServiceArea.POWIATS:
                own = cooperative.powiat_id
                neighbours = [code for code in self.powiats[cooperative.voivodeship_id] if code != own]
                powiat_codes = [own, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 3)))]
            elif area == Offer.ServiceArea.VOIVODESHIPS:
                others = [code for code in self.voivodeship_codes if code != cooperative.voivodeship_id]
                voivodeship_codes = [cooperative.voivodeship_id, *rng.sample(others, k=rng.choice((0, 0, 1, 2)))]
            zakup_year = None
            if status == Cooperative.Status.ACTIVE and rng.random() < 0.04:
                zakup_year = rng.randint(max(2014, cooperative.krs_registration_date.year), REFERENCE_DATE.year)
            # Whole curated sentences only (cooperatives/demo_texts.py); never a sentence cut and glued to another.
            description = " ".join(
                (
                    rng.choice(OFFER_DETAILS[sub]),
                    rng.choice(sector.about),
                    SERVICE_AREA_SENTENCES[area],
                    rng.choice(OFFER_CLOSINGS),
                )
            )
            offer = Offer(
                cooperative=cooperative,
                title=title,
                category=self.categories[sub],
                description=description,
                service_area=area,
                price_note=rng.choice(sector.prices) if rng.random() < 0.8 else "",
                cpv_code=cpv if rng.random() < 0.35 else "",
                zakup_prospoleczny_year=zakup_year,
                is_active=rng.random() < OFFER_ACTIVE_SHARE[status],
            )
            offers.append((offer, powiat_codes, voivodeship_codes))
        return offers

    # One batch: cooperatives, then what hangs on their primary keys.

    def create_batch(self, batch: list[_PlannedCooperative], result: SeedResult) -> None:
        pending = [self.build(item) for item in batch]
        bulk_insert(Cooperative, [p.cooperative for p in pending])

        target_links, founder_links, activities, offers = [], [], [], []
        TargetLink = Cooperative.target_groups.through
        FounderLink = Cooperative.founder_kinds.through
        for p in pending:
            coop_id = p.cooperative.pk
            target_links += [TargetLink(cooperative_id=coop_id, targetgroup_id=pk) for pk in p.target_group_ids]
            founder_links += [FounderLink(cooperative_id=coop_id, founderkind_id=pk) for pk in p.founder_kind_ids]
            for activity in p.activities:
                activity.cooperative = p.cooperative
                activities.append(activity)
            for offer, _, _ in p.offers:
                offer.cooperative = p.cooperative
                offer.refresh_derived_fields()
                offers.append(offer)
        bulk_insert(TargetLink, target_links)
        bulk_insert(FounderLink, founder_links)
        bulk_insert(CooperativeActivity, activities)
        bulk_insert(Offer, offers)
        refresh_offers_text(p.cooperative.pk for p in pending)

        PowiatLink = Offer.area_powiats.through
        VoivodeshipLink = Offer.area_voivodeships.through
        powiat_links, voivodeship_links = [], []
        for p in pending:
            for offer, powiat_codes, voivodeship_codes in p.offers:
                powiat_links += [PowiatLink(offer_id=offer.pk, territorialunit_id=code) for code in powiat_codes]
                voivodeship_links += [
                    VoivodeshipLink(offer_id=offer.pk, territorialunit_id=code) for code in voivodeship_codes
                ]
        bulk_insert(PowiatLink, powiat_links)
        bulk_insert(VoivodeshipLink, voivodeship_links)

        result.cooperatives += len(pending)
        result.offers += len(offers)
        result.rows += (
            len(pending)
            + len(offers)
            + len(target_links)
            + len(founder_links)
            + len(activities)
            + len(powiat_links)
            + len(voivodeship_links)
        )
