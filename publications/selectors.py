"""Reads composed per screen or endpoint. Views, the API and OAI-PMH call these."""

from django.db.models import Count, Prefetch, Q

from core.text import data_label

from .filters import PublicationFilterSet
from .models import Authorship, Edition, Language, Person, Publication, Series, Topic

SEARCH_COLUMNS = ("search_text", "search_vector")
EXPORT_LIMIT = 1000


def _with_related(queryset):
    return queryset.select_related("series").prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("person").order_by("position", "pk")),
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("editions", queryset=Edition.objects.order_by("format", "pk")),
    )


def publication_public_queryset():
    """Published items with everything a list row, a citation or an OAI record shows."""
    return _with_related(Publication.objects.published().defer(*SEARCH_COLUMNS))


def publication_list(*, data, queryset=None) -> PublicationFilterSet:
    """The filtered, ordered published items. Returns the bound FilterSet (`.is_valid()`, `.errors`, `.qs`)."""
    queryset = queryset if queryset is not None else publication_public_queryset()
    return PublicationFilterSet(data=data, queryset=queryset)


def publication_detail(*, slug: str) -> Publication:
    """One publication in any status (the caller checks who may see it). Raises Publication.DoesNotExist."""
    return _with_related(Publication.objects.defer(*SEARCH_COLUMNS)).get(slug=slug)


def _without(data, *names) -> dict:
    copy = data.copy() if hasattr(data, "copy") else dict(data)
    for name in names:
        copy.pop(name, None)
    return copy


def _counts(queryset, field: str) -> dict:
    return {
        row[field]: row["n"]
        for row in queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
        if row[field] is not None
    }


def publication_facets(*, data) -> dict[str, list[dict]]:
    """Counts per value of each filter, each computed with every other filter applied but not its own.

    Values with no published items are left out.
    """

    def filtered(name):
        filterset = publication_list(data=_without(data, name, "page"), queryset=Publication.objects.published())
        return filterset.qs if filterset.is_valid() else Publication.objects.none()

    facets: dict[str, list[dict]] = {}
    series_counts = _counts(filtered("series"), "series")
    facets["series"] = [
        {"value": series.slug, "label": series.title, "count": series_counts[series.pk]}
        for series in Series.objects.filter(pk__in=series_counts)
    ]
    topic_counts = _counts(filtered("topic"), "topics")
    facets["topic"] = [
        {"value": topic.slug, "label": data_label(topic.name), "count": topic_counts[topic.pk]}
        for topic in Topic.objects.filter(pk__in=topic_counts)
    ]
    year_counts = _counts(filtered("year"), "year")
    facets["year"] = [
        {"value": str(year), "label": str(year), "count": count}
        for year, count in sorted(year_counts.items(), reverse=True)
    ]
    author_counts = _counts(filtered("author"), "authorships__person")
    facets["author"] = [
        {"value": str(person.pk), "label": person.inverted_name, "count": author_counts[person.pk]}
        for person in Person.objects.filter(pk__in=author_counts)
    ]
    language_counts = _counts(filtered("language"), "language")
    facets["language"] = [
        {"value": value, "label": label, "count": language_counts[value]}
        for value, label in Language.choices
        if value in language_counts
    ]
    return facets


def publications_for_export(filterset: PublicationFilterSet) -> list[Publication]:
    """The current search results for a citation export, capped at EXPORT_LIMIT items."""
    return list(filterset.qs[:EXPORT_LIMIT])


def series_public_list():
    """Series that hold at least one published item, with the number of those."""
    published = Q(publications__status=Publication.Status.PUBLISHED)
    return (
        Series.objects.annotate(publication_count=Count("publications", filter=published))
        .filter(publication_count__gt=0)
        .order_by("title")
    )


def author_public_list():
    """People who authored at least one published item, with the number of those."""
    published = Q(authorships__publication__status=Publication.Status.PUBLISHED)
    return (
        Person.objects.annotate(publication_count=Count("authorships", filter=published, distinct=True))
        .filter(publication_count__gt=0)
        .order_by("last_name", "first_name", "pk")
    )
