"""Library demo data: the three real 2014 volumes of "ABC spółdzielczości socjalnej" plus a few demo items.

The real volumes carry only what is known for certain (authors, titles, year, series); no ISBN, publisher or volume
number is invented for them. Everything else is marked is_demo and shown as "publikacja demonstracyjna".
Idempotent: running it again updates the same rows and never duplicates files.
"""

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction

from .models import Authorship, Edition, Language, Licence, Person, Publication, Series, Topic
from .services import publication_refresh_search
from .validators import validate_edition_file

ABC_SERIES = {
    "slug": "abc-spoldzielczosci-socjalnej",
    "title": "ABC spółdzielczości socjalnej",
    "description": "Dziesięcioczęściowa seria poradników dla spółdzielni socjalnych i instytucji lokalnych, "
    "przygotowana w projekcie „W sieci dobrych połączeń”.",
    "planned_volumes": 10,
}
DEMO_SERIES = {
    "slug": "zeszyty-demonstracyjne",
    "title": "Zeszyty demonstracyjne",
    "description": "Seria wymyślona na potrzeby demonstracji portalu.",
    "planned_volumes": None,
}
TOPICS = {
    "uslugi-publiczne": "usługi użyteczności publicznej",
    "zamowienia-publiczne": "zamówienia publiczne",
    "wspolpraca-z-samorzadem": "współpraca z samorządem",
    "reintegracja": "reintegracja społeczna i zawodowa",
    "zakladanie-spoldzielni": "zakładanie spółdzielni",
}
REAL_NOTE = "Tom serii „ABC spółdzielczości socjalnej” wydany w projekcie „W sieci dobrych połączeń”."

REAL_VOLUMES = [
    {
        "slug": "uslugi-uzytecznosci-publicznej-a-ekonomia-spoleczna",
        "title": "Usługi użyteczności publicznej a ekonomia społeczna",
        "authors": [("Krzysztof", "Cibor")],
        "topics": ["uslugi-publiczne", "wspolpraca-z-samorzadem"],
    },
    {
        "slug": "spolecznie-odpowiedzialne-zakupy-i-zamowienia-publiczne",
        "title": "Społecznie odpowiedzialne zakupy i zamówienia publiczne jako narzędzia pozytywnej zmiany",
        "authors": [("Krzysztof", "Cibor")],
        "topics": ["zamowienia-publiczne"],
    },
    {
        "slug": "spolecznie-odpowiedzialne-zlecanie-zadan-publicznych",
        "title": "Społecznie odpowiedzialne zlecanie zadań publicznych",
        "authors": [("Tomasz", "Schimanek")],
        "topics": ["wspolpraca-z-samorzadem", "uslugi-publiczne"],
    },
]

DEMO_ITEMS = [
    {
        "slug": "demo-jak-zalozyc-spoldzielnie-socjalna",
        "title": "Jak założyć spółdzielnię socjalną",
        "subtitle": "Poradnik krok po kroku (publikacja demonstracyjna)",
        "authors": [("Anna", "Przykładowa"), ("Jan", "Testowy")],
        "topics": ["zakladanie-spoldzielni"],
        "year": 2016,
        "volume": 1,
        "language": Language.POLISH,
        "formats": [Edition.Format.PRINT, Edition.Format.PDF, Edition.Format.EPUB],
    },
    {
        "slug": "demo-reintegracja-w-praktyce",
        "title": "Reintegracja w praktyce spółdzielni",
        "subtitle": "Studia przypadków (publikacja demonstracyjna)",
        "authors": [("Jan", "Testowy")],
        "topics": ["reintegracja"],
        "year": 2018,
        "volume": 2,
        "language": Language.POLISH,
        "formats": [Edition.Format.PDF],
    },
    {
        "slug": "demo-social-cooperatives-in-poland",
        "title": "Social cooperatives in Poland",
        "subtitle": "An overview (demo publication)",
        "authors": [("Maria", "Wzorcowa")],
        "topics": ["reintegracja", "wspolpraca-z-samorzadem"],
        "year": 2019,
        "volume": None,
        "language": Language.ENGLISH,
        "formats": [Edition.Format.PDF],
    },
    {
        "slug": "demo-zamowienia-z-klauzulami-spolecznymi",
        "title": "Zamówienia z klauzulami społecznymi",
        "subtitle": "Wzory dokumentów (publikacja demonstracyjna)",
        "authors": [("Anna", "Przykładowa")],
        "topics": ["zamowienia-publiczne"],
        "year": 2020,
        "volume": 3,
        "language": Language.POLISH,
        "formats": [Edition.Format.PRINT, Edition.Format.EPUB],
    },
]


def demo_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def demo_epub(title: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
            "</container>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "content.opf",
            '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">demo</dc:identifier><dc:title>{title}</dc:title><dc:language>pl</dc:language>'
            '</metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c"/></spine></package>',
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "c.xhtml",
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>'
            f"<body><p>{title}</p></body></html>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def _person(first_name: str, last_name: str) -> Person:
    person, _ = Person.objects.get_or_create(first_name=first_name, last_name=last_name)
    return person


def _publication(spec: dict, *, series: Series, topics: dict[str, Topic], defaults: dict) -> Publication:
    publication, _ = Publication.objects.update_or_create(slug=spec["slug"], defaults=defaults)
    Authorship.objects.filter(publication=publication).delete()
    Authorship.objects.bulk_create(
        Authorship(publication=publication, person=_person(*name), position=position)
        for position, name in enumerate(spec["authors"], start=1)
    )
    publication.topics.set([topics[slug] for slug in spec["topics"]])
    return publication


def _edition(publication: Publication, edition_format: str) -> None:
    if Edition.objects.filter(publication=publication, format=edition_format).exists():
        return  # already seeded: keep its file (and download count)
    edition = Edition(publication=publication, format=edition_format)
    if edition_format == Edition.Format.PRINT:
        edition.save()
        return
    content = demo_pdf(publication.title) if edition_format == Edition.Format.PDF else demo_epub(publication.title)
    upload = ContentFile(content, name=f"demo.{edition_format}")
    validate_edition_file(upload, edition_format)
    edition.file_size = len(content)
    edition.file.save(upload.name, upload, save=True)  # stored under a server-made name (edition_upload_to)


@transaction.atomic
def seed_publications() -> int:
    """Create or update the library's demo data. Returns the number of publications it maintains."""
    abc, _ = Series.objects.update_or_create(slug=ABC_SERIES["slug"], defaults=ABC_SERIES)
    demo_series, _ = Series.objects.update_or_create(slug=DEMO_SERIES["slug"], defaults=DEMO_SERIES)
    topics = {
        slug: Topic.objects.update_or_create(slug=slug, defaults={"name": name})[0] for slug, name in TOPICS.items()
    }
    publications = []
    for spec in REAL_VOLUMES:
        defaults = {
            "title": spec["title"],
            "series": abc,
            "year": 2014,
            "language": Language.POLISH,
            "abstract": REAL_NOTE,
            "status": Publication.Status.PUBLISHED,
            "is_demo": False,
        }
        publication = _publication(spec, series=abc, topics=topics, defaults=defaults)
        _edition(publication, Edition.Format.PRINT)
        publications.append(publication)
    for spec in DEMO_ITEMS:
        defaults = {
            "title": spec["title"],
            "subtitle": spec["subtitle"],
            "series": demo_series if spec["volume"] else None,
            "volume_number": spec["volume"],
            "year": spec["year"],
            "publisher": "Wydawnictwo Demonstracyjne",
            "place": "Warszawa",
            "language": spec["language"],
            "abstract": "Publikacja demonstracyjna: opis wygenerowany na potrzeby prezentacji portalu. "
            "Nie opisuje prawdziwego wydawnictwa.",
            "licence": Licence.CC_BY,
            "status": Publication.Status.PUBLISHED,
            "is_demo": True,
        }
        publication = _publication(spec, series=demo_series, topics=topics, defaults=defaults)
        for edition_format in spec["formats"]:
            _edition(publication, edition_format)
        publications.append(publication)
    for publication in publications:
        publication_refresh_search(publication=publication)
    return len(publications)
