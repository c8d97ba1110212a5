from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import site

from ..models import Authorship, Edition, Person, Publication, Series


class AuthorSerializer(serializers.ModelSerializer):
    publication_count = serializers.IntegerField(read_only=True, help_text="Liczba opublikowanych pozycji.")

    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "affiliation", "publication_count"]


class SeriesSerializer(serializers.ModelSerializer):
    publication_count = serializers.IntegerField(read_only=True, help_text="Liczba opublikowanych pozycji.")

    class Meta:
        model = Series
        fields = ["id", "slug", "title", "description", "planned_volumes", "publication_count"]


class SeriesRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Series
        fields = ["id", "slug", "title"]


class AuthorshipSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="person.id", read_only=True)
    first_name = serializers.CharField(source="person.first_name", read_only=True)
    last_name = serializers.CharField(source="person.last_name", read_only=True)

    class Meta:
        model = Authorship
        fields = ["id", "first_name", "last_name", "position", "role"]


class EditionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Edition
        fields = ["id", "format", "isbn", "file_size", "download_count", "download_url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, edition: Edition) -> str | None:
        if not (edition.is_electronic and edition.file):
            return None
        return site.absolute_url(edition.get_download_url())


class PublicationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    authors = AuthorshipSerializer(source="authorships", many=True, read_only=True)
    series = SeriesRefSerializer(read_only=True, allow_null=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    cover = serializers.ImageField(read_only=True, use_url=True)
    editions = EditionSerializer(many=True, read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "subtitle",
            "authors",
            "series",
            "volume_number",
            "year",
            "publisher",
            "place",
            "language",
            "abstract",
            "topics",
            "funding_note",
            "licence",
            "cover",
            "editions",
            "is_demo",
            "updated_at",
        ]

    def get_url(self, publication: Publication) -> str:
        return site.absolute_url(publication.get_absolute_url())
