"""Suggestions while one types in the portal's search box: cooperatives by name, offer categories, places.

Built for 100,000 cooperatives (target p95 30 ms):
- **Cooperatives**: on PostgreSQL, the query words against the *names* only (weight A of the search vector; the last
  word as a prefix) on a GIN index of that part alone (NamesVector), taking at most CANDIDATES matching rows (a
  LIMIT inside, so a common prefix such as "sp" reads 200 rows instead of sorting 100,000), then ordered by name (as
  on SQLite). On SQLite the same bound on a LIKE over the folded names (a scan that stops at CANDIDATES matches).
- **Categories** (tens) and **places** (the TERC units: voivodeships, powiats, gminas, a few thousand) are read once
  into the cache (per language; the territorial register changes once a year) and indexed in each process by word
  prefix (a bisection per word): no query per keystroke. A renamed category shows within LIST_CACHE_SECONDS.
"""

import time
from bisect import bisect_left

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.cache import compute_once
from core.portal_search import Suggestion
from core.text import fold

from .search import Matches, is_postgresql, query_words

CANDIDATES = 200
LIST_CACHE_SECONDS = 600
MIN_LENGTH = 2  # letters typed before anything is suggested


class NamesVector(Func):
    """The names part (weight A) of the cooperative's search vector: `ts_filter(search_vector, '{a}')`, the
    expression of the GIN index coop_names_vector_idx (migration 0017). Matching the whole vector with `:A` labels
    needed a heap recheck of every row where the word is found in any field ("gastro" is in thousands of offer texts:
    0.85 s at 100,000 cooperatives); this index holds only name words, so a prefix is answered from the index."""

    template = "ts_filter(%(expressions)s, '{a}'::\"char\"[])"
    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("search_vector"))


def _prefix_tsquery(words: list[str]) -> str:
    """'w1 & w2 & last:*' against the names vector (words are folded a-z0-9, safe in a tsquery)."""
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def cooperatives(query: str, limit: int) -> list[Suggestion]:
    from django.contrib.postgres.search import SearchQuery

    from .models import Cooperative

    words = query_words(query)
    if not words or len("".join(words)) < MIN_LENGTH:
        return []
    visible = Cooperative.objects.exclude(status=Cooperative.Status.DELETED)
    if is_postgresql():
        tsquery = SearchQuery(_prefix_tsquery(words), config="simple", search_type="raw")
        candidates = visible.filter(Matches(NamesVector(), tsquery)).values("pk")[:CANDIDATES]
        rows = (
            Cooperative.objects.filter(pk__in=candidates)
            .order_by("name", "pk")
            .values_list("name", "krs_number", "town")[:limit]
        )
    else:
        condition = Q()
        for word in words:
            condition &= Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
        candidates = visible.filter(condition).values_list("name", "krs_number", "town", "short_name")[:CANDIDATES]
        # search_text also holds the town and the KRS number: keep the names that match (as on PostgreSQL).
        found = [row for row in candidates if _matches(fold(f"{row[0]} {row[3]}"), words)]
        found.sort(key=lambda row: row[0].lower())
        rows = [row[:3] for row in found[:limit]]
    label = _("spółdzielnia")
    return [
        Suggestion(f"{name} ({town})" if town else name, reverse("cooperatives:detail", kwargs={"krs": krs}), label)
        for name, krs, town in rows
    ]


def _category_rows() -> list[tuple[str, str, str]]:
    from .models import OfferCategory

    return [(fold(str(c)), str(c), c.slug) for c in OfferCategory.objects.select_related("parent").order_by("name")]


def _place_rows() -> list[tuple[str, str, str, str, int]]:
    from .models import TerritorialUnit

    levels = {TerritorialUnit.Level.VOIVODESHIP: 0, TerritorialUnit.Level.POWIAT: 1, TerritorialUnit.Level.GMINA: 2}
    units = list(TerritorialUnit.objects.filter(level__in=list(levels)).order_by("code"))
    # A city with powiat rights is both a powiat and a gmina of the same name: suggested once, as the powiat.
    cities = {
        unit.code: fold(unit.name) for unit in units if unit.level == "powiat" and unit.kind_name.startswith("miasto")
    }
    return [
        (fold(unit.name), str(unit), unit.level, unit.code, levels[unit.level])
        for unit in units
        if not (unit.level == "gmina" and cities.get(unit.code[:4]) == fold(unit.name))
    ]


def _matches(folded: str, words: list[str]) -> bool:
    """Every query word starts some word of the folded text."""
    own = folded.replace("-", " ").split()
    return all(any(part.startswith(word) for part in own) for word in words)


class PrefixIndex:
    """Rows found by word prefixes through a sorted list of (word, row): a bisection per query word, not a pass over
    the rows (the places are ~2,900, and every keystroke asks)."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        pairs = sorted({(word, i) for i, row in enumerate(rows) for word in row[0].replace("-", " ").split()})
        self.words = [word for word, _i in pairs]
        self.ids = [i for _word, i in pairs]

    def find(self, words: list[str]) -> list[tuple]:
        found = None
        for word in words:
            low, high = bisect_left(self.words, word), bisect_left(self.words, word + "\uffff")
            ids = set(self.ids[low:high])
            found = ids if found is None else found & ids
            if not found:
                return []
        return [self.rows[i] for i in sorted(found)]


_indexes: dict[str, tuple[float, PrefixIndex]] = {}


def _index(name: str, build) -> PrefixIndex:
    """The prefix index of the cached list `name`, kept in this process for LIST_CACHE_SECONDS (no unpickling per
    keystroke); the list itself is shared through the cache."""
    key = f"cooperatives:suggest:{name}:{get_language()}"
    now = time.monotonic()
    held = _indexes.get(key)
    if held is None or held[0] < now:
        held = (now + LIST_CACHE_SECONDS, PrefixIndex(compute_once(key, build, LIST_CACHE_SECONDS)))
        _indexes[key] = held
    return held[1]


def categories(query: str, limit: int) -> list[Suggestion]:
    words = query_words(query)
    if not words or len("".join(words)) < MIN_LENGTH:
        return []
    found = _index("categories", _category_rows).find(words)
    found.sort(key=lambda row: (not row[0].split(" › ")[-1].startswith(words[0]), row[0]))
    base = reverse("cooperatives:offers")
    label = _("kategoria ofert")
    return [Suggestion(name, f"{base}?{urlencode({'category': slug})}", label) for _f, name, slug in found[:limit]]


def places(query: str, limit: int) -> list[Suggestion]:
    words = query_words(query)
    if not words or len("".join(words)) < MIN_LENGTH:
        return []
    whole = " ".join(words)
    found = _index("places", _place_rows).find(words)
    # The exact name first, then the name that starts with the query, then the larger unit.
    found.sort(key=lambda row: (row[0] != whole, not row[0].startswith(whole), row[4], row[0], row[3]))
    base = reverse("cooperatives:list")
    label = _("miejsce")
    return [
        Suggestion(name, f"{base}?{urlencode({level: code})}", label) for _f, name, level, code, _o in found[:limit]
    ]
