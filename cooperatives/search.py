"""Typo- and diacritic-tolerant search over cooperatives and offers.

On PostgreSQL each query word is first corrected against the search vocabulary (table cooperatives_searchword:
the words of the cooperatives' and offers' search vectors with their document counts, kept exact by triggers;
migration add_search_vocabulary): the word matches as a prefix or as one of its closest vocabulary words by
trigram similarity. The big tables are then filtered by that pure full-text query on their GIN indexes, so
"spoldzelnia lodz" still finds "Spółdzielnia ... Łódź" without a trigram comparison per row. The correction runs
inside the statement (an uncorrelated subquery, evaluated once), so search adds no query to a request.
Ranking: the number of query words found as typed first (exact matches before corrected ones), then ts_rank.

On SQLite (the embedded development default) the same folded words are matched as substrings: no typo
tolerance, no ranking beyond name order.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from core.text import fold

_WORD = re.compile(r"[a-z0-9]+")
MAX_WORDS = 8
# The vocabulary column (cooperatives_searchword) that counts each searchable model's documents.
VOCABULARIES = {"cooperative": "cooperatives", "offer": "offers"}


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


class Matches(Func):
    """`vector @@ query`, usable in filter() and in annotations."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def corrected_query(words: list[str], vocabulary: str) -> RawSQL:
    """The tsquery of the words with their corrections: computed by the database once per statement."""
    return RawSQL(
        "(SELECT cooperatives_search_query(%s::text[], %s))", (words, vocabulary), output_field=SearchQueryField()
    )


def apply_search(queryset: QuerySet, query: str, *, fallback_fields: tuple[str, ...] = ()) -> QuerySet:
    """Filter `queryset` (Cooperative or Offer) by `query` and annotate `relevance`."""
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

    vocabulary = VOCABULARIES[queryset.model._meta.model_name]
    queryset = queryset.filter(Matches(F("search_vector"), corrected_query(words, vocabulary)))
    # Words found as typed (or as a prefix) count 1 each; ts_rank normalised to [0, 1) only orders within that.
    typed = [
        Cast(Matches(F("search_vector"), SearchQuery(f"{word}:*", config="simple", search_type="raw")), IntegerField())
        for word in words
    ]
    rank = SearchRank(F("search_vector"), corrected_query(words, vocabulary), normalization=32)
    return queryset.annotate(relevance=ExpressionWrapper(sum(typed[1:], typed[0]) + rank, output_field=FloatField()))
