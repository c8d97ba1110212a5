"""The library admin belongs to ministry staff: anonymous users are sent to log in, other staff get 403."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import MINISTRY_STAFF
from publications.models import Edition, Publication
from tests.factories import UserFactory

from .factories import PersonFactory, PublicationFactory, SeriesFactory
from .files import pdf_bytes

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "admin:publications_publication_changelist",
    "admin:publications_publication_add",
    "admin:publications_person_changelist",
    "admin:publications_series_changelist",
    "admin:publications_topic_changelist",
]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_staff_without_the_ministry_role_is_refused(client, plain_user, name):
    client.force_login(plain_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_ministry_staff_may_manage_the_library(client, staff_user, name):
    client.force_login(staff_user)
    assert client.get(reverse(name)).status_code == 200


def test_superuser_counts_as_ministry_staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:publications_publication_changelist")).status_code == 200


def test_ministry_group_without_admin_access_cannot_enter(client):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    client.force_login(user)
    assert client.get(reverse("admin:publications_publication_changelist")).status_code == 302


def formset(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def publication_form(**overrides) -> dict:
    data = {
        "title": "Usługi użyteczności publicznej",
        "slug": "uslugi",
        "status": "published",
        "year": "2014",
        "language": "pl",
        "licence": "CC-BY-4.0",
    }
    data.update(overrides)
    return data


def test_adding_a_publication_with_ordered_authors_and_editions(client, staff_user):
    client.force_login(staff_user)
    second, first = PersonFactory(last_name="Zawadzka"), PersonFactory(last_name="Cibor")
    data = {
        **publication_form(series=str(SeriesFactory().pk), volume_number="1"),
        **formset("authorships", [{"position": "2", "person": str(second.pk), "role": "author"},
                                  {"position": "1", "person": str(first.pk), "role": "author"}]),
        **formset("editions", [{"format": "print", "isbn": "83-7181-510-7"},
                               {"format": "pdf", "file": SimpleUploadedFile("x.pdf", pdf_bytes())}]),
    }  # fmt: skip
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 302, response.context["errors"]
    publication = Publication.objects.get(slug="uslugi")
    assert [a.person.last_name for a in publication.authorships.order_by("position")] == ["Cibor", "Zawadzka"]
    assert publication.editions.get(format="print").isbn == "9788371815102"
    assert publication.editions.get(format="pdf").file.name.startswith("publications/editions/")
    assert "cibor" in Publication.objects.get(pk=publication.pk).search_text


def test_admin_refuses_a_renamed_file_and_a_bad_isbn_next_to_the_field(client, staff_user):
    client.force_login(staff_user)
    data = {
        **publication_form(),
        **formset("authorships", []),
        **formset("editions", [{"format": "print", "isbn": "978-83-7181-510-7"},
                               {"format": "pdf", "file": SimpleUploadedFile("x.pdf", b"GIF89a not a pdf")}]),
    }  # fmt: skip
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 200
    errors = [form.errors for form in response.context["inline_admin_formsets"][1].formset.forms]
    assert "nie jest poprawnym numerem ISBN" in errors[0]["isbn"][0]
    assert errors[1]["file"] == ["Plik nie jest poprawnym dokumentem PDF."]
    assert not Publication.objects.exists() and not Edition.objects.exists()


def test_renaming_an_author_refreshes_search(client, staff_user):
    person = PersonFactory(first_name="Jan", last_name="Kowalski")
    publication = PublicationFactory(authors=[person])
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:publications_person_change", args=[person.pk]),
        {"first_name": "Jan", "last_name": "Nowak", "affiliation": ""},
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert "nowak" in publication.search_text and "kowalski" not in publication.search_text


def change_data(publication, **overrides) -> dict:
    return {
        **publication_form(slug=publication.slug, title=publication.title),
        **formset("authorships", []),
        **formset("editions", []),
        **overrides,
    }


def test_a_save_over_a_newer_edit_is_refused(client, staff_user):
    publication = PublicationFactory(title="Pierwotny tytuł")
    client.force_login(staff_user)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    form = client.get(url).context["adminform"].form
    assert form["expected_version"].value() == 1

    # someone else saves in the meantime
    response = client.post(url, change_data(publication, title="Zmiana kolegi", expected_version="1"))
    assert response.status_code == 302

    response = client.post(url, change_data(publication, title="Moja zmiana", expected_version="1"))
    assert response.status_code == 200
    assert "Ktoś inny zapisał tę publikację" in response.content.decode()
    publication.refresh_from_db()
    assert (publication.title, publication.version) == ("Zmiana kolegi", 2)

    response = client.post(url, change_data(publication, title="Moja zmiana", expected_version="2"))
    assert response.status_code == 302
    publication.refresh_from_db()
    assert (publication.title, publication.version) == ("Moja zmiana", 3)


def _edition_change(publication, edition, **edition_fields) -> dict:
    row = {"id": str(edition.pk), "publication": str(publication.pk), "format": edition.format, "isbn": ""}
    row.update(edition_fields)
    data = change_data(publication, expected_version=str(publication.version), **formset("editions", [row]))
    data["editions-INITIAL_FORMS"] = "1"
    return data


def test_a_replaced_edition_file_is_deleted_after_the_commit(client, staff_user, django_capture_on_commit_callbacks):
    from .factories import PdfEditionFactory

    edition = PdfEditionFactory()
    publication = edition.publication
    storage, old_name = edition.file.storage, edition.file.name
    assert storage.exists(old_name)
    client.force_login(staff_user)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    upload = SimpleUploadedFile("nowe.pdf", pdf_bytes(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, _edition_change(publication, edition, file=upload))
        assert response.status_code == 302
        # Not before the commit: until then the old row still names the old file.
        assert storage.exists(old_name)
    for callback in callbacks:
        callback()
    edition.refresh_from_db()
    assert edition.file.name != old_name and storage.exists(edition.file.name)
    assert not storage.exists(old_name)


def test_a_deleted_edition_takes_its_file_along(client, staff_user, django_capture_on_commit_callbacks):
    from .factories import PdfEditionFactory

    edition = PdfEditionFactory()
    publication = edition.publication
    storage, name = edition.file.storage, edition.file.name
    client.force_login(staff_user)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _edition_change(publication, edition, DELETE="on"))
    assert response.status_code == 302
    assert not Edition.objects.filter(pk=edition.pk).exists()
    assert not storage.exists(name)


def test_a_file_still_named_by_another_edition_is_kept(client, staff_user, django_capture_on_commit_callbacks):
    from .factories import PdfEditionFactory

    edition = PdfEditionFactory()
    other = PdfEditionFactory()
    Edition.objects.filter(pk=other.pk).update(file=edition.file.name)
    publication = edition.publication
    storage, name = edition.file.storage, edition.file.name
    client.force_login(staff_user)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    upload = SimpleUploadedFile("nowe.pdf", pdf_bytes(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, _edition_change(publication, edition, file=upload)).status_code == 302
    assert storage.exists(name)
