"""The library is edited in the admin, by ministry staff only (accounts.roles.is_ministry_staff)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Authorship, Edition, Person, Publication, Series, Topic
from .permissions import can_manage_library
from .services import publication_refresh_search


class RefreshesPublicationSearch:
    """A renamed person, series or topic changes the search text of every publication it belongs to."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            for publication in obj.publications.all():
                publication_refresh_search(publication=publication)


class LibraryStaffOnly:
    """Every library model in the admin: visible and editable by those who manage the library, no one else."""

    def has_module_permission(self, request):
        return can_manage_library(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_library(request.user)

    def has_add_permission(self, request, *args):
        return can_manage_library(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_library(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_library(request.user)


class AuthorshipInline(LibraryStaffOnly, admin.TabularInline):
    model = Authorship
    extra = 1
    autocomplete_fields = ["person"]
    ordering = ["position"]
    fields = ["position", "person", "role"]


class EditionInline(LibraryStaffOnly, admin.StackedInline):
    model = Edition
    extra = 0
    fields = ["format", "isbn", "file", "file_size", "download_count"]
    readonly_fields = ["file_size", "download_count"]


class PublicationAdminForm(forms.ModelForm):
    """Carries the version the editor started from; a save over someone else's newer edit is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Publication
        fields = [
            "title",
            "subtitle",
            "slug",
            "status",
            "is_demo",
            "series",
            "volume_number",
            "year",
            "publisher",
            "place",
            "language",
            "abstract",
            "topics",
            "cover",
            "licence",
            "funding_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            # The admin saves inside a transaction; the row lock holds until this edit is saved.
            current = (
                Publication.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
            ).first()
            if cleaned_data.get("expected_version") != current:
                raise forms.ValidationError(
                    _(
                        "Ktoś inny zapisał tę publikację, gdy ją edytowałeś(-aś). Otwórz ją ponownie, "
                        "aby zobaczyć aktualną wersję, i wprowadź zmiany jeszcze raz."
                    ),
                    code="stale_version",
                )
            self.instance.version = current + 1
        return cleaned_data


@admin.register(Publication)
class PublicationAdmin(LibraryStaffOnly, admin.ModelAdmin):
    form = PublicationAdminForm
    list_display = ["title", "year", "series", "volume_number", "status", "is_demo", "updated_at"]
    list_filter = ["status", "is_demo", "series", "language", "topics"]
    search_fields = ["title", "subtitle", "authors__last_name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    filter_horizontal = ["topics"]
    inlines = [AuthorshipInline, EditionInline]
    list_select_related = ["series"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "status", "is_demo", "expected_version"]}),
        (_("Seria i wydanie"), {"fields": ["series", "volume_number", "year", "publisher", "place", "language"]}),
        (_("Treść"), {"fields": ["abstract", "topics", "cover"]}),
        (_("Prawa i finansowanie"), {"fields": ["licence", "funding_note"]}),
    ]

    def save_formset(self, request, form, formset, change):
        """A replaced or deleted edition's file leaves the storage once the save has committed, and only if no
        edition names it any more (a rolled-back save keeps pointing at the old file)."""
        if formset.model is not Edition:
            return super().save_formset(request, form, formset, change)
        previous = {
            edition_form.instance.pk: Edition.objects.filter(pk=edition_form.instance.pk)
            .values_list("file", flat=True)
            .first()
            for edition_form in formset.initial_forms
            if edition_form.instance.pk
            and ("file" in edition_form.changed_data or formset._should_delete_form(edition_form))
        }
        super().save_formset(request, form, formset, change)
        for old_name in filter(None, previous.values()):
            transaction.on_commit(lambda name=old_name: _delete_unreferenced_file(name))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Authors, series and topics are saved only now; the search text depends on them.
        publication_refresh_search(publication=form.instance)


def _delete_unreferenced_file(name: str) -> None:
    if not Edition.objects.filter(file=name).exists():
        Edition._meta.get_field("file").storage.delete(name)


@admin.register(Person)
class PersonAdmin(LibraryStaffOnly, RefreshesPublicationSearch, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "affiliation"]
    search_fields = ["last_name", "first_name"]


@admin.register(Series)
class SeriesAdmin(LibraryStaffOnly, RefreshesPublicationSearch, admin.ModelAdmin):
    list_display = ["title", "planned_volumes"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Topic)
class TopicAdmin(LibraryStaffOnly, RefreshesPublicationSearch, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
