"""Typo- and diacritic-tolerant search over cooperatives and offers (and, per word, the publication library).

On PostgreSQL each query word is first corrected against the search vocabulary (table cooperatives_searchword:
the words of the cooperatives' and offers' search vectors with their document counts, kept exact by triggers;
migration add_search_vocabulary): the word matches as a prefix or as one of its closest vocabulary words by
trigram similarity. The big tables are then filtered by that pure full-text query on their GIN indexes, so
"spoldzelnia lodz" still finds "Spółdzielnia ... Łódź" without a trigram comparison per row. The correction runs
inside the statement (an uncorrelated subquery, evaluated once), so search adds no query to a request.
Ranking: the number of query words found as typed first (exact matches before corrected ones), then ts_rank.

A cooperative is also found by what it does and where: `offers_text` (the folded words of its active offers'
titles and categories with their synonyms, which staff keep in the admin as OfferCategory.keywords, refreshed by
refresh_offers_text whenever an offer changes) and the names of its gmina, powiat and voivodeship (read by the
vector's trigger from the territorial register) are weight B of its vector; its sectors' other words
(`sectors_text`) are C, with the description. Its NIP and REGON are weight A with its names and KRS number.

On SQLite (the embedded development default) a Python function registered on the connection scores each row the
same way: a query word is found as typed (a prefix of a word of the row) or corrected (a word of the row within one
edit, two for words of 8+ letters: rapidfuzz's Levenshtein distance, memoised per pair of words, so each word of the
vocabulary is compared once per query word); the weights of the fields where it is found order the results.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    RowRange,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.dispatch import receiver
from rapidfuzz.distance import Levenshtein

from core.text import fold

_WORD = re.compile(r"[a-z0-9]+")
MAX_WORDS = 8
# The vocabulary column (cooperatives_searchword) that counts each searchable model's documents.
VOCABULARIES = {"cooperative": "cooperatives", "offer": "offers"}


# A query of digits only, written with the separators people copy from letterheads ("123-456-32-18",
# "123 456 32 18"), whose digits make a NIP (10), a KRS number (10) or a REGON (9 or 14): one identifier.
_IDENTIFIER = re.compile(r"\d[\d\s./-]*\d")
IDENTIFIER_LENGTHS = (9, 10, 14)


# Words that carry no meaning in a search ("sprzątanie biur w Krakowie", "opieka nad seniorami"), folded, and
# "usługi", which every offer is ("usługi gastronomiczne"). They are dropped, unless the query is made of them alone.
STOP_WORDS = frozenset(
    "a albo aby ale bez czy dla do i in jak lub na nad o od oraz po pod przy przez sie to u w we z za ze "
    "usluga uslugi uslug uslugach uslugami gmina gminie powiat powiecie wojewodztwo wojewodztwie woj pow "
    "and for of the".split()
)

# Polish inflection, the light way: the endings of case, number and the common derivations (folded), longest first.
# A query word is matched as a prefix (as typed) or through its stem, the word without its ending: "Krakowie" finds
# "Kraków", "spółdzielni" "spółdzielnia", "gastronomiczne" "gastronomia", "seniorami" "seniorzy"/"seniorów".
# Documents are not stemmed: a stem is a prefix of every form of the word, and every word is matched as a prefix.
_ENDINGS = sorted(
    set(
        "iczne iczny iczna icznej icznych icznym icznymi icznego icznemu "
        "aniami aniach aniem aniu ania anie eniami eniach eniem eniu enia enie "
        "owego owemu owych owymi owym owej owa owe owy owi "
        "iego iemu ego emu ych ymi imi ich ym im ej ami ach ow om iem em ie a e i y u o".split()
    ),
    key=lambda ending: (-len(ending), ending),
)
MIN_STEM = 4  # a shorter stem would be a prefix of too many words


@lru_cache(maxsize=10_000)
def stem(word: str) -> str:
    """The word without its inflectional ending, or the word itself (short words, numbers, no known ending)."""
    if not word.isalpha():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def query_words(query: str) -> list[str]:
    """Folded, de-duplicated words of a query without stop words, at most MAX_WORDS of them; an identifier written
    in groups is one word."""
    folded = fold(query)[: settings.PORTAL_SEARCH_MAX_LENGTH]
    if _IDENTIFIER.fullmatch(folded.strip()):
        digits = re.sub(r"\D", "", folded)
        if len(digits) in IDENTIFIER_LENGTHS:
            return [digits]
    words: list[str] = []
    for word in _WORD.findall(folded):
        if word not in words:
            words.append(word)
    meaningful = [word for word in words if word not in STOP_WORDS]
    return (meaningful or words)[:MAX_WORDS]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Matches(Func):
    """`vector @@ query`, usable in filter() and in annotations."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def corrected_query(words: list[str], vocabulary: str) -> RawSQL:
    """The tsquery of the words with their corrections and stems (every word must match): computed by the database
    once per statement."""
    parts, params = [], []
    for word in words:
        if stem(word) == word:
            parts.append("cooperatives_search_query(ARRAY[%s]::text[], %s)")
            params += [word, vocabulary]
        else:
            parts.append("(cooperatives_search_query(ARRAY[%s]::text[], %s) || to_tsquery('simple', %s))")
            params += [word, vocabulary, f"{stem(word)}:*"]
    return RawSQL(f"(SELECT {' && '.join(parts)})", params, output_field=SearchQueryField())


def apply_search(queryset: QuerySet, query: str, *, fallback_fields: tuple[str, ...] = ()) -> QuerySet:
    """Filter `queryset` (Cooperative or Offer) by `query` and annotate `relevance`."""
    words = query_words(query)
    if not words:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    if not is_postgresql():
        fields = SQLITE_FIELDS.get(queryset.model._meta.model_name) or (
            ("search_text", 1.0),
            *((field, 0.1) for field in fallback_fields),
        )
        arguments = [Value(" ".join(words))]
        for field, weight in fields:
            arguments += [Value(weight), F(field)]
        score = Func(*arguments, function="portal_search_score", output_field=FloatField())
        return queryset.annotate(relevance=score).filter(relevance__gt=0)

    vocabulary = VOCABULARIES.get(queryset.model._meta.model_name)
    if vocabulary is None:
        return _apply_per_word_search(queryset, words)
    queryset = queryset.filter(Matches(F("search_vector"), corrected_query(words, vocabulary)))
    # A word found as typed (or as a prefix) counts 1, found in another form only (its stem) 0.5, corrected 0;
    # ts_rank normalised to [0, 1) only orders within that.
    typed = []
    for word in words:
        typed.append(_found(_prefix(word)))
        if stem(word) != word:
            typed.append(_found(_prefix(stem(word))) * Value(0.5))
    rank = SearchRank(F("search_vector"), corrected_query(words, vocabulary), normalization=32)
    return queryset.annotate(relevance=ExpressionWrapper(sum(typed[1:], typed[0]) + rank, output_field=FloatField()))


def _prefix(word: str) -> SearchQuery:
    return SearchQuery(f"{word}:*", config="simple", search_type="raw")


def _found(tsquery: SearchQuery) -> Cast:
    """1.0 when the row's vector matches, else 0.0 (PostgreSQL casts a boolean to integer only)."""
    return Cast(Cast(Matches(F("search_vector"), tsquery), IntegerField()), FloatField())


# A word shorter than this is matched only as a prefix: trigrams of 1-2 letters match almost everything.
MIN_TRIGRAM_WORD = 3

# --- SQLite: the same behaviour computed in Python, row by row --------------------------------------------------

# The fields searched on SQLite and their weights (like the PostgreSQL vector's A, B, C).
SQLITE_FIELDS = {
    "cooperative": (
        ("search_text", 1.0),
        ("offers_text", 0.4),
        ("sectors_text", 0.2),
        ("gmina__name", 0.4),  # the seat's units, read through the foreign keys (a join in the search's statements)
        ("powiat__name", 0.4),
        ("voivodeship__name", 0.4),
        ("description", 0.1),
    ),
    "offer": (("title", 1.0), ("search_text", 0.4), ("description", 0.1)),  # search_text: + category, cooperative
}
TYPED, STEMMED, CORRECTED = 3, 2, 1
FOUND_AS = {TYPED: 1.0, STEMMED: 0.5}  # what a word adds to the score, as on PostgreSQL


@lru_cache(maxsize=20_000)
def _row_words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text)))


@lru_cache(maxsize=200_000)
def _word_match(word: str, candidate: str) -> int:
    """TYPED when `candidate` starts with the query word, STEMMED when with its stem only (another form of the word),
    CORRECTED when it is within the allowed edits, else 0."""
    if candidate.startswith(word):
        return TYPED
    if candidate.startswith(stem(word)):
        return STEMMED
    if len(word) <= MIN_TRIGRAM_WORD or not word.isalpha():
        return 0  # short words and numbers (KRS) only as prefixes, as on PostgreSQL
    edits = 1 if len(word) < 8 else 2
    if abs(len(candidate) - len(word)) > edits:
        return 0
    return CORRECTED if Levenshtein.distance(word, candidate, score_cutoff=edits) <= edits else 0


@lru_cache(maxsize=30_000)  # a few query words x every searched field of a demo registry; bounded memory
def _text_match(word: str, text: str) -> int:
    """The best match of the query word among the words of a field (the statements of one page, the count, the
    results and each facet, see the same rows: each is compared once)."""
    return max((_word_match(word, candidate) for candidate in _row_words(text)), default=0)


def sqlite_search_score(query: str, *weighted_texts) -> float:
    """Relevance of a row: the words found as typed (1 each) or in another form (0.5), plus the weights of the fields
    where they are found, in [0, 1); 0 when a word is found nowhere (every word must match, as on PostgreSQL)."""
    words = query.split()
    typed, weights = 0, 0.0
    for word in words:
        best_level, best_weight = 0, 0.0
        for weight, text in zip(weighted_texts[::2], weighted_texts[1::2], strict=True):
            if not text:
                continue
            level = _text_match(word, text)
            if level > best_level or (level and level == best_level and weight > best_weight):
                best_level, best_weight = level, weight
        if not best_level:
            return 0.0
        typed += FOUND_AS.get(best_level, 0.0)
        weights += best_weight
    return typed + weights / (len(words) * 1.01)


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("portal_search_score", -1, sqlite_search_score, deterministic=True)


def refresh_category_texts(category_id: int) -> int:
    """After a category's name or synonyms changed: refresh `offers_text` of every cooperative with an active offer
    in it or in its sub-categories, in batches. Returns how many cooperatives were looked at."""
    from cooperatives.models import Offer

    ids = list(
        Offer.objects.filter(Q(category_id=category_id) | Q(category__parent_id=category_id), is_active=True)
        .order_by()
        .values_list("cooperative_id", flat=True)
        .distinct()
    )
    for start in range(0, len(ids), 1000):
        refresh_offers_text(ids[start : start + 1000])
    return len(ids)


def refresh_offers_text(cooperative_ids) -> None:
    """Recompute `offers_text` and `sectors_text` of these cooperatives from their active offers (one read, one
    write if changed): the words of the offers' titles and categories (with their synonyms), and the words of
    their sectors not already among them. A sector's name is shared by every category in it ("catering" in
    "Gastronomia i catering"), so it weighs less: a caterer ranks before a bakery for "catering".

    On PostgreSQL the cooperatives' search trigger folds them into their vector (weights B and C), and the
    vocabulary triggers count their words."""
    from cooperatives.models import Cooperative, Offer

    ids = {pk for pk in cooperative_ids if pk}
    if not ids:
        return
    texts: dict[int, dict[str, None]] = {pk: {} for pk in ids}
    sectors: dict[int, dict[str, None]] = {pk: {} for pk in ids}
    rows = (
        Offer.objects.filter(cooperative_id__in=ids, is_active=True)
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
        texts[cooperative_id].update(
            dict.fromkeys(_WORD.findall(fold(" ".join(filter(None, [title, name, keywords])))))
        )
        sectors[cooperative_id].update(dict.fromkeys(_WORD.findall(fold(f"{sector or ''} {sector_keywords or ''}"))))
    wanted = {
        pk: (" ".join(words), " ".join(word for word in sectors[pk] if word not in words))
        for pk, words in texts.items()
    }
    current = {
        pk: (offers, sector_words)
        for pk, offers, sector_words in Cooperative.objects.filter(pk__in=ids).values_list(
            "pk", "offers_text", "sectors_text"
        )
    }
    changed = [
        Cooperative(pk=pk, offers_text=offers, sectors_text=sector_words)
        for pk, (offers, sector_words) in wanted.items()
        if pk in current and current[pk] != (offers, sector_words)
    ]
    Cooperative.objects.bulk_update(changed, ["offers_text", "sectors_text"], batch_size=500)


def _apply_per_word_search(queryset: QuerySet, words: list[str]) -> QuerySet:
    """Search of a model without a vocabulary (the publication library, a few thousand rows at most): each word as a
    prefix in the vector or approximately (pg_trgm word similarity) in the folded text, on the model's own GIN
    indexes. At that size the per-row trigram comparison costs nothing worth a vocabulary."""
    for word in words:
        condition = Q(search_vector=SearchQuery(f"{word}:*", config="simple", search_type="raw"))
        if len(word) >= MIN_TRIGRAM_WORD:
            condition |= Q(search_text__trigram_word_similar=word)
        queryset = queryset.filter(condition)
    tsquery = SearchQuery(" & ".join(f"{w}:*" for w in words), config="simple", search_type="raw")
    return queryset.annotate(
        relevance=SearchRank(F("search_vector"), tsquery) + TrigramWordSimilarity(" ".join(words), "search_text")
    )


class RelevancePages:
    """What the catalogue's Paginator pages through when a search is ordered by relevance on PostgreSQL.

    Ranking needs every match, but a page needs only its own rows. So one statement ranks the searched table alone
    and returns the ids of the requested page together with the number of matches (a window count over the same
    pass), and a second one joins only those rows to what the page shows (the cooperative, its units, the
    category). Paging the queryset itself read every match twice (count, then page) and joined every match before
    sorting: at 300,000 offers a common word ("catering", ~12,000 matches) meant two passes over ~9,000 heap pages
    and four index lookups per match. Same number of queries; a page past the end costs one more (the count).
    """

    def __init__(self, queryset: QuerySet, *, number: int, per_page: int):
        self.queryset = queryset
        self.bounds = ((number - 1) * per_page, number * per_page)
        self._ids: list[int] | None = None
        self._count: int | None = None

    def _rank(self) -> None:
        if self._ids is not None:
            return
        bottom, top = self.bounds
        # The window is ordered like the page and framed over all matches: PostgreSQL then sorts narrow rows (id,
        # relevance) once and counts them, instead of buffering every match's vector for an unordered window.
        everything = RowRange(start=None, end=None)
        order = [F("relevance").desc(), F("pk").asc()]
        ranked = self.queryset.annotate(matches=Window(Count("pk"), order_by=order, frame=everything))
        rows = list(ranked.values_list("pk", "matches")[bottom:top])
        self._ids = [pk for pk, _ in rows]
        if rows:
            self._count = rows[0][1]
        elif bottom == 0:
            self._count = 0

    def count(self) -> int:
        self._rank()
        if self._count is None:  # a page past the end: the window saw no row
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("RelevancePages is only sliced (by a Paginator)")
        self._rank()
        if (key.start or 0) != self.bounds[0]:
            return list(self.queryset[key])  # not the page asked for at construction (a Paginator's orphans)
        return list(self.queryset.filter(pk__in=self._ids)) if self._ids else []


def pageable(queryset: QuerySet, *, number: int, per_page: int):
    """`queryset`, or its RelevancePages when it is a search ordered by relevance on PostgreSQL."""
    if is_postgresql() and queryset.query.order_by[:1] == ("-relevance",):
        return RelevancePages(queryset, number=number, per_page=per_page)
    return queryset
