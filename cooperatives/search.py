"""Typo- and diacritic-tolerant search over cooperatives and offers.

On PostgreSQL every query word must match, either as a prefix in the weighted full-text vector (name, town,
description; unaccented by the trigger) or approximately (pg_trgm word similarity) in the folded names, so
"spoldzelnia lodz" still finds "Spółdzielnia ... Łódź". Results are ranked by ts_rank plus trigram similarity.
Both conditions are served by GIN indexes (migration add_search_on_postgresql).

On SQLite (the embedded development default) the same folded words are matched as substrings: no typo
tolerance, no ranking beyond name order.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value

from core.text import fold

_WORD = re.compile(r"[a-z0-9]+")
MAX_WORDS = 8
# A word shorter than this is matched only as a prefix: trigrams of 1-2 letters match almost everything.
MIN_TRIGRAM_WORD = 3


def query_words(query: str) -> list[str]:
    """Folded, de-duplicated words of a query, at most MAX_WORDS of them."""
    folded = fold(query)[: settings.PORTAL_SEARCH_MAX_LENGTH]
    words: list[str] = []
    for word in _WORD.findall(folded):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def apply_search(queryset: QuerySet, query: str, *, fallback_fields: tuple[str, ...] = ()) -> QuerySet:
    """Filter `queryset` (a model with search_text and search_vector) by `query` and annotate `relevance`."""
    words = query_words(query)
    if not words:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    if not is_postgresql():
        for word in words:
            condition = Q(search_text__contains=word)
            for field in fallback_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))

    for word in words:
        condition = Q(search_vector=SearchQuery(f"{word}:*", config="simple", search_type="raw"))
        if len(word) >= MIN_TRIGRAM_WORD:
            condition |= Q(search_text__trigram_word_similar=word)
        queryset = queryset.filter(condition)
    tsquery = SearchQuery(" & ".join(f"{w}:*" for w in words), config="simple", search_type="raw")
    return queryset.annotate(
        relevance=SearchRank(F("search_vector"), tsquery) + TrigramWordSimilarity(" ".join(words), "search_text")
    )
