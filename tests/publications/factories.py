"""factory_boy factories of the library. Electronic editions get a small valid file (see files.py)."""

import factory
from django.core.files.base import ContentFile

from publications.models import Authorship, Edition, Person, Publication, Series, Topic

from .files import epub_bytes, pdf_bytes


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Imię{n}")
    last_name = factory.Sequence(lambda n: f"Nazwisko{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"temat {n}")
    slug = factory.Sequence(lambda n: f"temat-{n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Seria {n}")
    slug = factory.Sequence(lambda n: f"seria-{n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    """A published item. `authors=[person, ...]` sets the ordered author list; `topics=[...]` the topics."""

    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Publikacja {n}")
    slug = factory.Sequence(lambda n: f"publikacja-{n}")
    year = 2014
    status = Publication.Status.PUBLISHED

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, person in enumerate(extracted or [], start=1):
            Authorship.objects.create(publication=self, person=person, position=position)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def refresh_search(self, create, extracted, **kwargs):
        from publications.services import publication_refresh_search

        if create:
            publication_refresh_search(publication=self)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    publication = factory.SubFactory(PublicationFactory)
    format = Edition.Format.PRINT


class PdfEditionFactory(EditionFactory):
    format = Edition.Format.PDF
    file = factory.LazyFunction(lambda: ContentFile(pdf_bytes(), name="plik.pdf"))


class EpubEditionFactory(EditionFactory):
    format = Edition.Format.EPUB
    file = factory.LazyFunction(lambda: ContentFile(epub_bytes(), name="plik.epub"))
