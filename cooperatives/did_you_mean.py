""" "Did you mean": a corrected query built from the words of the registry, for searches that found nothing.

PostgreSQL: each query word that no document holds (not even as a prefix) is replaced by its most similar word of
the search vocabulary (table cooperatives_searchword, kept exact by triggers: docs/decisions/0002) that the kind's
documents hold: the CANDIDATES most similar by trigrams (`%` at THRESHOLD, served by the table's GIN trigram index,
then frequency), of which the nearest by edits. One statement per call (in a transaction with its SET LOCAL), and
only on a page that found nothing. The search itself already corrects
words at similarity 0.5; this goes further (0.3) and says what it changed, instead of silently widening every search.

SQLite: rapidfuzz against the distinct words of the registry, at most VOCABULARY_LIMIT of them (the most frequent),
built once per version of the registry (counts and latest changes of cooperatives and offers) and cached.
"""

import hashlib
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Max
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from core.cache import compute_once
from core.text import fold

from .search import _WORD, MIN_TRIGRAM_WORD, VOCABULARIES, is_postgresql, query_words

VOCABULARY_LIMIT = 50_000
SQLITE_CUTOFF = 70  # rapidfuzz ratio (0-100): one wrong letter in a 6-letter word scores ~83, two ~67
CACHE_SECONDS = 3600
THRESHOLD = 0.2  # pg_trgm similarity of the candidates
CANDIDATES = 5  # per word, by similarity, then the nearest by edits


def correction(query: str, model_name: str) -> str:
    """The query with its unknown words corrected, or "" when nothing could be corrected."""
    words = query_words(query)
    kind = VOCABULARIES.get(model_name)
    if not words or kind is None:
        return ""
    candidates = [w for w in words if len(w) >= MIN_TRIGRAM_WORD and w.isalpha()]
    if not candidates:
        return ""
    found = _postgresql_corrections(candidates, kind) if is_postgresql() else _sqlite_corrections(candidates, kind)
    corrected = [found.get(word) or word for word in words]
    return " ".join(corrected) if corrected != words else ""


def _postgresql_corrections(words: list[str], kind: str) -> dict[str, str]:
    column = {"cooperatives": "cooperatives", "offers": "offers"}[kind]  # a column name, never user input
    sql = f"""
        SELECT q.w, c.word
          FROM unnest(%s::text[]) AS q(w)
          CROSS JOIN LATERAL (
                SELECT s.word FROM cooperatives_searchword s
                 WHERE s.word %% q.w AND s.{column} > 0
                 ORDER BY similarity(s.word, q.w) DESC, s.{column} DESC, s.word
                 LIMIT {CANDIDATES}) AS c
         WHERE NOT EXISTS (SELECT 1 FROM cooperatives_searchword s
                            WHERE s.{column} > 0 AND (s.word = q.w OR s.word LIKE q.w || '%%'))
    """
    candidates: dict[str, list[str]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Wider than the search's own 0.5 (pg_trgm's trigram similarity of short words with two errors is ~0.25);
        # SET LOCAL ends with this transaction, so the search's threshold is never changed.
        cursor.execute(f"SET LOCAL pg_trgm.similarity_threshold = {THRESHOLD}")
        cursor.execute(sql, [words])
        for word, candidate in cursor.fetchall():
            candidates.setdefault(word, []).append(candidate)
    # The nearest by edits among the most similar by trigrams (ties: the SQL order, similarity then frequency).
    return {
        word: min(found, key=lambda candidate: Levenshtein.distance(word, candidate))
        for word, found in candidates.items()
    }


def _registry_key() -> str:
    from .models import Cooperative, Offer

    coops = Cooperative.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    offers = Offer.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{coops['n']}:{coops['last']}:{offers['n']}:{offers['last']}"


def _sqlite_vocabulary(kind: str) -> list[str]:
    from .models import Cooperative, Offer

    counts: Counter = Counter()
    if kind == "cooperatives":
        rows = Cooperative.objects.values_list("search_text", "offers_text", "sectors_text", "description")
    else:
        rows = Offer.objects.filter(is_active=True).values_list("search_text", "title", "description")
    for row in rows.iterator(chunk_size=2000):
        counts.update(set(_WORD.findall(fold(" ".join(filter(None, row))))))
    return [word for word, _n in counts.most_common(VOCABULARY_LIMIT) if len(word) >= MIN_TRIGRAM_WORD]


def sqlite_vocabulary(kind: str) -> list[str]:
    """The distinct words of the kind's documents, cached per version of the registry."""
    version = hashlib.sha256(_registry_key().encode()).hexdigest()[:32]
    key = f"cooperatives:vocabulary:{kind}:{version}"
    return compute_once(key, lambda: _sqlite_vocabulary(kind), CACHE_SECONDS)


def _sqlite_corrections(words: list[str], kind: str) -> dict[str, str]:
    vocabulary = sqlite_vocabulary(kind)
    known = set(vocabulary)
    found = {}
    for word in words:
        if word in known or any(candidate.startswith(word) for candidate in vocabulary):
            continue
        best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=SQLITE_CUTOFF)
        if best:
            found[word] = best[0]
    return found
