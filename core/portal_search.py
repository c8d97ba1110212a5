"""The portal-wide search: a registry of searchable kinds and of suggestion sources, filled by the apps.

Core knows no domain: each app registers what it can search (`register_kind`) and what it can suggest while one
types (`register_suggester`) from its `AppConfig.ready()`; the views in `core/search_views.py` ask every registered
kind in `order`. Nothing here imports an app.

- A kind answers `search(query, limit)` with `KindResults(count, hits, catalogue_url)`: the exact number of
  matches, the top `limit` hits and its catalogue's URL with the query carried over. A kind may also answer
  `correct(query)` with a corrected query ("did you mean"), asked only when no kind found anything.
- A suggester answers `suggest(query, limit)` with `Suggestion`s (label, URL, kind label), best first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

MAX_QUERY_LENGTH = 200  # longer queries are cut (settings.PORTAL_SEARCH_MAX_LENGTH when set)


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    meta: str = ""


@dataclass
class KindResults:
    count: int
    hits: list[Hit]
    catalogue_url: str


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str
    kind: str  # what it is, shown next to the label ("spółdzielnia", "kategoria", "miejsce")


@dataclass(frozen=True)
class SearchKind:
    key: str
    label: object  # a (lazy) translated plural: "Spółdzielnie"
    search: Callable[[str, int], KindResults]
    order: int = 100
    correct: Callable[[str], str] | None = None  # a corrected query ("did you mean"), asked when nothing was found


@dataclass
class _Registry:
    kinds: dict[str, SearchKind] = field(default_factory=dict)
    suggesters: dict[str, tuple[int, Callable[[str, int], list[Suggestion]]]] = field(default_factory=dict)


_registry = _Registry()


def register_kind(kind: SearchKind) -> None:
    """Add (or replace, by key: ready() may run twice in tests) a searchable kind."""
    _registry.kinds[kind.key] = kind


def register_suggester(key: str, suggest: Callable[[str, int], list[Suggestion]], *, order: int = 100) -> None:
    _registry.suggesters[key] = (order, suggest)


def kinds() -> list[SearchKind]:
    return sorted(_registry.kinds.values(), key=lambda kind: (kind.order, kind.key))


def suggesters() -> list[Callable[[str, int], list[Suggestion]]]:
    return [suggest for _order, suggest in sorted(_registry.suggesters.values(), key=lambda item: item[0])]


def max_length() -> int:
    return getattr(settings, "PORTAL_SEARCH_MAX_LENGTH", MAX_QUERY_LENGTH)


def clean_query(raw: str) -> str:
    """The query as searched: control characters (NUL included) become spaces, runs of spaces one, cut to the
    maximum length. Punctuation stays (each kind folds it away); an empty result means "nothing to search"."""
    text = "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029") else ch for ch in raw)
    return " ".join(text.split())[: max_length()]


def has_words(query: str) -> bool:
    """Whether the query holds any letter or digit (a query of punctuation or emoji only searches nothing)."""
    return any(ch.isalnum() for ch in query)
