"""The judged search query set and its relevance evaluation (issue 17): one source for `make bench` and the tests.

The queries are generated deterministically from the demo registry in the database (the seeded generator of
cooperatives/demo.py): targets are drawn with a seeded RNG from the cooperatives ordered by KRS number, and every
judgement comes from the generator's known truth, read from structured columns, never from the text the engine
searches: the cooperative's name, the categories of its active offers, its TERYT units (gmina, powiat,
voivodeship) and its identifiers (KRS, NIP, REGON). Struck-off cooperatives are left out: the catalogue hides
them unless asked. See docs/performance.md ("Search relevance") for the classes, grades and metrics.

Grades: 2 = what the query asks for, 1 = partly (e.g. "catering Kraków": catering seated in Kraków = 2, catering
seated elsewhere in małopolskie or another gastronomy trade in Kraków = 1). recall@20 counts the grade-2 answers
in the first 20 (out of at most 20); nDCG@10 uses gains 2^grade - 1 over every judged answer.

The ranking evaluated is the catalogue's own: `cooperatives.selectors.cooperative_list(data={"search": query})`,
the selector behind /spoldzielnie/ (apply_search on Cooperative, ordered by relevance, struck-off excluded).
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from core.text import fold

QUERY_SEED = 17  # the query set's own RNG; the registry's seed is the demo generator's
RECALL_AT = 20
NDCG_AT = 10

CLASSES = ("exact_name", "typo", "no_diacritics", "inflected", "service", "service_place", "identifier")

# --- What the queries are made of, as data -----------------------------------------------------------------

# What a service word asks for: (sub-categories that are exactly it = grade 2, related ones = grade 1).
SERVICES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sprzątanie": (("sprzatanie-obiektow", "utrzymanie-czystosci"), ("pralnia",)),
    "sprzątanie biur": (("sprzatanie-obiektow",), ("utrzymanie-czystosci", "pralnia")),
    "catering": (("catering",), ("stolowki", "wypieki")),
    "gastronomia": (("catering", "stolowki", "wypieki"), ()),
    "opieka nad seniorami": (("opieka-seniorzy",), ("asystencja",)),
    "opieka nad dziećmi": (("opieka-dzieci",), ("przedszkola",)),
    "remonty": (("remonty",), ("prace-budowlane", "instalacje")),
    "pralnia": (("pralnia",), ()),
    "przedszkole": (("przedszkola",), ("opieka-dzieci",)),
    "szkolenia": (("szkolenia",), ()),
    "noclegi": (("noclegi",), ("agroturystyka",)),
    "odśnieżanie": (("odsniezanie",), ()),
    "księgowość": (("ksiegowosc",), ()),
    "przeprowadzki": (("przeprowadzki",), ()),
    "pielęgnacja zieleni": (("pielegnacja-zieleni",), ("ogrody", "odsniezanie")),
    "strony internetowe": (("strony-www",), ()),
}
# Inflected forms (adjectives, other cases) of what a cooperative does, with the same judgement as the service.
INFLECTED_SERVICES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "gastronomiczne": SERVICES["gastronomia"],
    "cateringowe": SERVICES["catering"],
    "cateringu": SERVICES["catering"],
    "sprzątania": SERVICES["sprzątanie"],
    "sprzątające": SERVICES["sprzątanie"],
    "remontowe": SERVICES["remonty"],
    "pralnicze": SERVICES["pralnia"],
    "przedszkola": SERVICES["przedszkole"],
    "opieki nad seniorami": SERVICES["opieka nad seniorami"],
    "noclegów": SERVICES["noclegi"],
    "szkoleń": SERVICES["szkolenia"],
    "księgowe": SERVICES["księgowość"],
    "ogrodnicze": (("ogrody",), ("pielegnacja-zieleni",)),
    "poligraficzne": (("druk", "projektowanie", "gadzety"), ()),
    "transportowe": (("przewoz-osob", "przeprowadzki"), ()),
    "turystyczne": (("noclegi", "wycieczki", "agroturystyka"), ()),
}
# Cities with powiat rights (powiat code) with their nominative and locative ("w ...") names.
CITIES: dict[str, tuple[str, str]] = {
    "1465": ("Warszawa", "w Warszawie"),
    "1261": ("Kraków", "w Krakowie"),
    "1061": ("Łódź", "w Łodzi"),
    "0264": ("Wrocław", "we Wrocławiu"),
    "3064": ("Poznań", "w Poznaniu"),
    "2261": ("Gdańsk", "w Gdańsku"),
    "3262": ("Szczecin", "w Szczecinie"),
    "0663": ("Lublin", "w Lublinie"),
    "0461": ("Bydgoszcz", "w Bydgoszczy"),
    "2061": ("Białystok", "w Białymstoku"),
    "2469": ("Katowice", "w Katowicach"),
    "2262": ("Gdynia", "w Gdyni"),
    "1863": ("Rzeszów", "w Rzeszowie"),
    "2661": ("Kielce", "w Kielcach"),
    "0463": ("Toruń", "w Toruniu"),
    "2862": ("Olsztyn", "w Olsztynie"),
    "1661": ("Opole", "w Opolu"),
    "0862": ("Zielona Góra", "w Zielonej Górze"),
}
# How many queries of each kind (the test uses the same numbers on a smaller registry).
COUNTS = {"exact_name": 12, "typo": 12, "no_diacritics": 12, "locative": 6, "genitive_name": 3, "service_place": 12}
IDENTIFIERS = (("krs", 5), ("nip", 2), ("nip_dashed", 2), ("regon", 3))

_KINDS = ("Spółdzielnia Socjalna Osób Prawnych ", "Spółdzielnia Socjalna ")
_LIQUIDATION = " w likwidacji"
_WORD = re.compile(r"[a-z0-9]+")
_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Letters next to each other on a Polish (QWERTY) keyboard, for substitution typos.
_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "r": "et", "s": "ad", "t": "ry", "u": "yi",
    "w": "qe", "y": "tu", "z": "x",
}  # fmt: skip


@dataclass
class JudgedQuery:
    text: str
    kind: str  # one of CLASSES
    how: str  # how the judgements were derived, for the report and for reading failures
    grades: dict[int, int] = field(default_factory=dict)  # cooperative pk -> 1 or 2
    meant: str = ""  # the name, service word or identifier the query was made from
    powiat: str = ""  # the place of a place query (a city's powiat code)


@dataclass
class _Known:
    """What the demo generator made of one cooperative."""

    pk: int
    name: str
    core: str
    krs: str
    nip: str
    regon: str
    powiat: str
    voivodeship: str
    categories: set[str] = field(default_factory=set)  # sub-category slugs of its active offers


def name_core(name: str) -> str:
    """The distinctive part of a demo name: without the legal form, the quotes and "w likwidacji"."""
    if name.endswith(_LIQUIDATION):
        name = name[: -len(_LIQUIDATION)]
    for kind in _KINDS:
        if name.startswith(kind):
            name = name[len(kind) :]
            break
    return name.strip('„”"')


@lru_cache(maxsize=400_000)  # every name and its core at the bench's 100,000 cooperatives
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _registry() -> list[_Known]:
    from cooperatives.models import Cooperative, Offer

    known = {
        pk: _Known(pk, name, name_core(name), krs, nip, regon, powiat or "", voivodeship or "")
        for pk, name, krs, nip, regon, powiat, voivodeship in Cooperative.objects.exclude(
            status=Cooperative.Status.DELETED
        )
        .order_by("krs_number")
        .values_list("pk", "name", "krs_number", "nip", "regon", "powiat_id", "voivodeship_id")
    }
    offers = Offer.objects.filter(is_active=True, cooperative_id__in=list(known)).values_list(
        "cooperative_id", "category__slug"
    )
    for cooperative_id, slug in offers.iterator(chunk_size=5000):
        known[cooperative_id].categories.add(slug)
    return list(known.values())


def _typo(word: str, rng: random.Random) -> str:
    """One realistic slip in a word of 5+ letters, never in its first letter: a letter left out, doubled, or
    replaced by its neighbour on the keyboard."""
    position = rng.randrange(1, len(word))
    letter = word[position].lower()
    kind = rng.choice(("drop", "double", "neighbour") if letter in _NEIGHBOURS else ("drop", "double"))
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + rng.choice(_NEIGHBOURS[letter]) + word[position + 1 :]


def _name_grades(registry: list[_Known], words: tuple[str, ...], *, full: bool) -> dict[int, int]:
    """Grade 2: the same name (the whole name, or its distinctive part); grade 1: a name holding all its words."""
    grades = {}
    wanted = set(words)
    for coop in registry:
        own = _words(coop.name if full else coop.core)
        if own == words:
            grades[coop.pk] = 2
        elif wanted <= set(_words(coop.name)):
            grades[coop.pk] = 1
    return grades


def _service_grades(registry, exact, related, *, where=None) -> dict[int, int]:
    grades = {}
    for coop in registry:
        if where is not None and not where(coop):
            continue
        if coop.categories & set(exact):
            grades[coop.pk] = 2
        elif coop.categories & set(related):
            grades[coop.pk] = 1
    return grades


def _service_place_grades(registry, exact, related, powiat: str) -> dict[int, int]:
    """2: offers the service exactly and is seated in the city; 1: offers it elsewhere in the city's
    voivodeship, or offers a related service in the city."""
    grades = {}
    voivodeship = powiat[:2]
    for coop in registry:  # the voivodeship's cooperatives (the caller passes them)
        offers_it = bool(coop.categories & set(exact))
        related_only = not offers_it and bool(coop.categories & set(related))
        if coop.powiat == powiat and offers_it:
            grades[coop.pk] = 2
        elif (coop.powiat == powiat and related_only) or (coop.voivodeship == voivodeship and offers_it):
            grades[coop.pk] = 1
    return grades


def _pick_names(registry, rng, count, *, condition=lambda coop: True, full=False) -> list[tuple[_Known, dict]]:
    """Targets whose name is shared by at most RECALL_AT cooperatives (so a perfect engine scores 1), drawn with
    the RNG; one target per distinct name."""
    groups: dict[tuple[str, ...], list[_Known]] = defaultdict(list)
    for coop in registry:
        groups[_words(coop.name if full else coop.core)].append(coop)
    candidates = [members[0] for members in groups.values() if len(members) <= RECALL_AT and condition(members[0])]
    candidates.sort(key=lambda coop: coop.krs)
    chosen = rng.sample(candidates, k=min(count, len(candidates)))
    return [(coop, _name_grades(registry, _words(coop.name if full else coop.core), full=full)) for coop in chosen]


def build_query_set(registry: list[_Known] | None = None, *, seed: int = QUERY_SEED) -> list[JudgedQuery]:
    """The judged queries for the registry in the database (same registry and seed: same queries)."""
    registry = registry if registry is not None else _registry()
    rng = random.Random(seed)
    queries: list[JudgedQuery] = []

    for coop, grades in _pick_names(registry, rng, COUNTS["exact_name"], full=True):
        queries.append(JudgedQuery(coop.name, "exact_name", f"the name of KRS {coop.krs}", grades, coop.name))

    def typo_able(coop):
        return any(len(word) >= 5 and word.isalpha() for word in coop.core.split())

    for coop, grades in _pick_names(registry, rng, COUNTS["typo"], condition=typo_able):
        parts = coop.core.split()
        longest = max(range(len(parts)), key=lambda i: (len(parts[i]) if parts[i].isalpha() else 0, -i))
        parts[longest] = _typo(parts[longest], rng)
        queries.append(JudgedQuery(" ".join(parts), "typo", f"'{coop.core}' with one slip", grades, coop.core))

    def has_polish(coop):
        return bool(_POLISH & set(coop.core))

    for coop, grades in _pick_names(registry, rng, COUNTS["no_diacritics"], condition=has_polish):
        queries.append(JudgedQuery(fold(coop.core), "no_diacritics", f"'{coop.core}' folded", grades, coop.core))

    # Inflected: place names in the locative, the legal form in the genitive, adjectives and other cases.
    seated = {powiat for powiat in CITIES if any(coop.powiat == powiat for coop in registry)}
    for powiat in rng.sample(sorted(seated), k=min(COUNTS["locative"], len(seated))):
        grades = {coop.pk: 2 for coop in registry if coop.powiat == powiat}
        city, locative = CITIES[powiat]
        queries.append(JudgedQuery(f"spółdzielnie {locative}", "inflected", f"seated in {city}", grades, city, powiat))
    for coop, grades in _pick_names(registry, rng, COUNTS["genitive_name"]):
        text = f"spółdzielni socjalnej {coop.core}"
        queries.append(JudgedQuery(text, "inflected", f"'{coop.core}'", grades, coop.core))
    for text, (exact, related) in INFLECTED_SERVICES.items():
        grades = _service_grades(registry, exact, related)
        if any(grade == 2 for grade in grades.values()):
            queries.append(JudgedQuery(text, "inflected", f"offers {', '.join(exact)}", grades, text))

    for text, (exact, related) in SERVICES.items():
        grades = _service_grades(registry, exact, related)
        if any(grade == 2 for grade in grades.values()):
            queries.append(JudgedQuery(text, "service", f"offers {', '.join(exact)}", grades, text))

    by_voivodeship: dict[str, list[_Known]] = defaultdict(list)
    for coop in registry:
        by_voivodeship[coop.voivodeship].append(coop)
    pairs = []
    for text, (exact, related) in SERVICES.items():
        for powiat in sorted(CITIES):
            grades = _service_place_grades(by_voivodeship[powiat[:2]], exact, related, powiat)
            if any(grade == 2 for grade in grades.values()):
                pairs.append((text, powiat, grades))
    for text, powiat, grades in rng.sample(pairs, k=min(COUNTS["service_place"], len(pairs))):
        city, locative = CITIES[powiat]
        query = f"{text} {locative}" if rng.random() < 0.5 else f"{text} {city}"
        how = f"offers {', '.join(SERVICES[text][0])}, seated in {city}"
        queries.append(JudgedQuery(query, "service_place", how, grades, text, powiat))

    with_ids = sorted((coop for coop in registry if coop.nip and coop.regon), key=lambda coop: coop.krs)
    for kind, count in IDENTIFIERS:
        for coop in rng.sample(with_ids, k=min(count, len(with_ids))):
            text = {
                "krs": coop.krs,
                "nip": coop.nip,
                "nip_dashed": f"{coop.nip[:3]}-{coop.nip[3:6]}-{coop.nip[6:8]}-{coop.nip[8:]}",
                "regon": coop.regon,
            }[kind]
            how = f"{kind.split('_')[0].upper()} of KRS {coop.krs}"
            queries.append(JudgedQuery(text, "identifier", how, {coop.pk: 2}, coop.krs))
    return queries


# --- Metrics ---------------------------------------------------------------------------------------------


def recall_at(ranking: list[int], grades: dict[int, int], k: int = RECALL_AT) -> float:
    wanted = {pk for pk, grade in grades.items() if grade == 2}
    if not wanted:
        return 1.0
    return len(wanted & set(ranking[:k])) / min(len(wanted), k)


def ndcg_at(ranking: list[int], grades: dict[int, int], k: int = NDCG_AT) -> float:
    def dcg(gains):
        return sum((2**gain - 1) / math.log2(position + 2) for position, gain in enumerate(gains))

    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades.get(pk, 0) for pk in ranking[:k]]) / ideal if ideal else 1.0


def catalogue_ranking(query: str, limit: int = RECALL_AT) -> list[int]:
    """The first `limit` cooperatives of the catalogue's search, in the catalogue's order."""
    from cooperatives.selectors import cooperative_list

    filterset = cooperative_list(data={"search": query})
    if not filterset.is_valid():
        raise ValueError(f"the catalogue refused {query!r}: {filterset.errors}")
    return list(filterset.qs.values_list("pk", flat=True)[:limit])


@dataclass
class ClassScore:
    kind: str
    queries: int
    recall: float
    ndcg: float
    worst: list[tuple[str, float, float]]  # (query, recall, ndcg) of the lowest-scoring queries


def evaluate(queries: list[JudgedQuery], ranker=catalogue_ranking) -> dict[str, ClassScore]:
    """Mean recall@20 and nDCG@10 per class (classes without a query are left out)."""
    per_class: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for query in queries:
        ranking = ranker(query.text)
        per_class[query.kind].append((query.text, recall_at(ranking, query.grades), ndcg_at(ranking, query.grades)))
    scores = {}
    for kind in CLASSES:
        rows = per_class.get(kind)
        if not rows:
            continue
        worst = sorted(rows, key=lambda row: (row[1] + row[2], row[0]))[:3]
        scores[kind] = ClassScore(
            kind, len(rows), sum(r for _, r, _ in rows) / len(rows), sum(n for _, _, n in rows) / len(rows), worst
        )
    return scores


def report(scores: dict[str, ClassScore], *, database: str, registry_size: int) -> str:
    lines = [
        f"Search relevance ({database}, {registry_size:,} cooperatives in the catalogue; "
        f"recall@{RECALL_AT} of the grade-2 answers, nDCG@{NDCG_AT}):",
        "",
        f"| class | queries | recall@{RECALL_AT} | nDCG@{NDCG_AT} | lowest (query: recall / nDCG) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for score in scores.values():
        worst = "; ".join(f"{text} {r:.2f}/{n:.2f}" for text, r, n in score.worst if r < 1 or n < 1)
        lines.append(f"| {score.kind} | {score.queries} | {score.recall:.3f} | {score.ndcg:.3f} | {worst} |")
    return "\n".join(lines)


def run(database: str) -> str:
    """Generate the query set from the registry in the database, evaluate the catalogue, return the table."""
    registry = _registry()
    queries = build_query_set(registry)
    return report(evaluate(queries), database=database, registry_size=len(registry))
