"""Every URL pattern of the portal, and a concrete URL for each, for tests that walk all routes."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation


@dataclass(frozen=True)
class Route:
    pattern: str  # as the resolver shows it, without the language prefix, e.g. "panel/oferty/<int:pk>/"
    name: str | None
    callback: object

    @property
    def documented_as(self) -> str:
        return "/" + self.pattern


def all_routes() -> list[Route]:
    """Patterns in the default language (a previous request may have left another one active)."""

    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield Route(prefix + str(entry.pattern), name, entry.callback)

    with translation.override(settings.LANGUAGE_CODE):
        return list(walk(get_resolver().url_patterns))


_CONVERTER = re.compile(r"<(?:(?P<converter>[^:>]+):)?(?P<name>[^>]+)>")


def _regex_groups(pattern: str):
    """(start, end, name, body) of each named group "(?P<name>body)", nested parentheses included."""
    position = 0
    while (start := pattern.find("(?P<", position)) != -1:
        name_end = pattern.index(">", start)
        depth, index = 1, name_end + 1
        while depth:
            if pattern[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[index], 0)
            index += 1
        yield start, index, pattern[start + 4 : name_end], pattern[name_end + 1 : index - 1]
        position = index


def build_path(route: Route, sample) -> str:
    """A concrete path for the route: `sample(route, name, regex_body)` gives each parameter's value."""
    pattern = route.pattern
    pieces, position = [], 0
    for start, end, name, body in _regex_groups(pattern):
        pieces.append(pattern[position:start])
        pieces.append(sample(route, name, body))
        position = end
    pieces.append(pattern[position:])
    pattern = "".join(pieces)
    pattern = _CONVERTER.sub(lambda match: sample(route, match["name"], match["converter"] or "str"), pattern)
    pattern = pattern.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    return "/" + pattern
