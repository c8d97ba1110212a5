import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from publications.models import Edition, Publication

from .factories import EditionFactory, PdfEditionFactory, PublicationFactory, SeriesFactory
from .files import pdf_bytes

pytestmark = pytest.mark.django_db


def test_isbn10_is_normalised_to_isbn13():
    edition = EditionFactory.build(publication=PublicationFactory(), isbn="83-7181-510-7")
    edition.full_clean()
    assert edition.isbn == "9788371815102"
    edition.save()
    edition.refresh_from_db()
    assert edition.isbn == "9788371815102"
    assert edition.isbn_display == "978-83-7181-510-2"


def test_hyphenated_isbn13_is_stored_compact():
    edition = EditionFactory(isbn="978-83-7181-510-2")
    edition.refresh_from_db()
    assert edition.isbn == "9788371815102"


def test_bad_isbn_is_refused_with_a_polish_message():
    edition = EditionFactory.build(publication=PublicationFactory(), isbn="978-83-7181-510-7")
    with pytest.raises(ValidationError) as error:
        edition.full_clean()
    assert error.value.message_dict["isbn"] == [
        "„978-83-7181-510-7” nie jest poprawnym numerem ISBN (sprawdź cyfry i cyfrę kontrolną)."
    ]


def test_isbn_is_unique_whatever_form_it_was_typed_in():
    EditionFactory(isbn="9788371815102")
    duplicate = EditionFactory.build(publication=PublicationFactory(), isbn="83-7181-510-7")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Wydanie o tym numerze ISBN już istnieje." in str(error.value)


def test_database_refuses_a_non_normalised_isbn():
    # Every ORM path normalises (the field's to_python); the constraint guards raw writes.
    edition = EditionFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE publications_edition SET isbn = %s WHERE id = %s", ["8371815107", edition.pk])


def test_volume_number_is_unique_within_a_series_only():
    series = SeriesFactory()
    PublicationFactory(series=series, volume_number=1)
    PublicationFactory(series=SeriesFactory(), volume_number=1)  # another series: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(series=series, volume_number=1)


def test_volume_number_needs_a_series():
    publication = PublicationFactory.build(volume_number=3, series=None)
    with pytest.raises(ValidationError) as error:
        publication.full_clean()
    assert "Numer tomu można podać tylko dla publikacji w serii." in str(error.value)


def test_electronic_edition_requires_a_file_and_print_must_not_have_one():
    publication = PublicationFactory()
    pdf_without_file = Edition(publication=publication, format=Edition.Format.PDF)
    with pytest.raises(ValidationError) as error:
        pdf_without_file.full_clean()
    assert error.value.message_dict["file"] == ["Dodaj plik wydania elektronicznego."]
    with pytest.raises(IntegrityError), transaction.atomic():
        pdf_without_file.save()

    print_with_file = Edition(publication=publication, format=Edition.Format.PRINT)
    print_with_file.file = ContentFile(pdf_bytes(), name="x.pdf")
    with pytest.raises(ValidationError) as error:
        print_with_file.full_clean()
    assert error.value.message_dict["file"] == ["Wydanie drukowane nie może mieć pliku."]


def test_uploaded_file_gets_a_server_made_name_and_its_size(settings):
    edition = PdfEditionFactory.build(publication=PublicationFactory())
    edition.file = ContentFile(pdf_bytes(), name="../../Mój plik; rm -rf.PDF")
    edition.full_clean()
    edition.save()
    assert edition.file.name.startswith("publications/editions/")
    assert edition.file.name.endswith(".pdf")
    assert "Mój" not in edition.file.name and ".." not in edition.file.name
    assert edition.file_size == len(pdf_bytes())


def test_published_queryset_leaves_drafts_out():
    published = PublicationFactory()
    PublicationFactory(status=Publication.Status.DRAFT)
    assert list(Publication.objects.published()) == [published]


def test_cover_size_is_limited(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PUBLICATIONS_MAX_COVER_SIZE = 10
    publication = PublicationFactory.build()
    publication.cover = SimpleUploadedFile("okladka.png", b"x" * 100)
    with pytest.raises(ValidationError) as error:
        publication.full_clean(exclude=["slug"])
    assert error.value.message_dict["cover"][0].startswith("Okładka jest za duża")
