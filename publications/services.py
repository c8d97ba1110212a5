"""Writes of the library beyond plain admin edits."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.text import fold

from .models import Edition, Publication


@transaction.atomic
def publication_refresh_search(*, publication: Publication) -> None:
    """Recompute the folded search text from the title, authors, series and topics (the PostgreSQL trigger then
    refreshes the search vector). Call after authors, series or topics change.

    It also moves the last-change time, so OAI-PMH harvesters pick up a renamed author or series."""
    people = [authorship.person for authorship in publication.authorships.select_related("person")]
    parts = [
        publication.title,
        publication.subtitle,
        *(f"{person.first_name} {person.last_name}" for person in people),
        publication.series.title if publication.series_id else "",
        *publication.topics.values_list("name", flat=True),
    ]
    publication.search_text = fold(" ".join(filter(None, parts)))
    publication.updated_at = timezone.now()
    Publication.objects.filter(pk=publication.pk).update(
        search_text=publication.search_text, updated_at=publication.updated_at
    )


def edition_record_download(*, edition: Edition) -> None:
    """Count one download. A single UPDATE ... SET n = n + 1, so concurrent downloads are all counted."""
    Edition.objects.filter(pk=edition.pk).update(download_count=F("download_count") + 1)
