import pytest
from django.core.management import call_command

from publications.models import Edition, Publication

pytestmark = pytest.mark.django_db

REAL_TITLES = {
    "Usługi użyteczności publicznej a ekonomia społeczna": "Cibor",
    "Społecznie odpowiedzialne zakupy i zamówienia publiczne jako narzędzia pozytywnej zmiany": "Cibor",
    "Społecznie odpowiedzialne zlecanie zadań publicznych": "Schimanek",
}


def test_seed_creates_the_three_real_volumes_and_marked_demo_items(client):
    call_command("seed_publications", verbosity=0)
    real = Publication.objects.filter(is_demo=False)
    assert {p.title: p.authorships.get().person.last_name for p in real} == REAL_TITLES
    for publication in real:
        assert publication.year == 2014
        assert publication.series.title == "ABC spółdzielczości socjalnej"
        assert not publication.editions.exclude(isbn="").exists()  # no invented ISBNs for real books
    demo = Publication.objects.filter(is_demo=True)
    assert demo.count() >= 3
    electronic = Edition.objects.filter(format__in=["pdf", "epub"])
    assert electronic.exists() and all(e.publication.is_demo for e in electronic)
    demo_item = demo.first()
    assert "publikacja demonstracyjna" in client.get(demo_item.get_absolute_url()).content.decode()
    for edition in electronic:
        assert client.get(edition.get_download_url()).status_code == 200


def test_seed_is_idempotent():
    call_command("seed_publications", verbosity=0)
    files = sorted(Edition.objects.exclude(file="").values_list("file", flat=True))
    counts = (Publication.objects.count(), Edition.objects.count())
    call_command("seed_publications", verbosity=0)
    assert (Publication.objects.count(), Edition.objects.count()) == counts
    assert sorted(Edition.objects.exclude(file="").values_list("file", flat=True)) == files
