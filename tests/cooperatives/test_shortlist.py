"""A buyer's shortlist (issue 13): ticks in the catalogue survive paging, the list is shown and editable, the
inquiry is sent to it, and its published contacts download as semicolon-separated CSV and XLSX.

Before: the catalogue's checkboxes lived in one GET form per page, so moving to page 2 lost the ticks of page 1.
"""

import io

import factory
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cooperatives import shortlist
from cooperatives.models import Cooperative

from .factories import CooperativeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("cooperatives:list")
SHORTLIST = reverse("cooperatives:shortlist")


@pytest.fixture
def two_pages():
    """25 cooperatives, sorted by name: 20 on page 1, 5 on page 2."""
    names = factory.Sequence(lambda n: f"Spółdzielnia Socjalna Wybrana {n:02d}")
    return CooperativeFactory.create_batch(25, name=names)


def add(client, coop, next_url):
    return client.post(reverse("cooperatives:shortlist-add"), {"krs": coop.krs_number, "next": next_url})


def test_ticks_on_two_pages_survive_paging_and_the_redirect_keeps_the_query(client, two_pages):
    first_page = client.get(LIST, {"search": "Wybrana"})
    first = first_page.context["results"][0]
    second_page = client.get(LIST, {"search": "Wybrana", "page": 2})
    second = second_page.context["results"][0]
    assert first.pk != second.pk

    response = add(client, first, f"{LIST}?search=Wybrana")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?search=Wybrana#wynik-{first.krs_number}"
    response = add(client, second, f"{LIST}?search=Wybrana&page=2")
    assert response["Location"] == f"{LIST}?search=Wybrana&page=2#wynik-{second.krs_number}"

    # Back on page 1 the first is still ticked; page 2 shows the second as ticked.
    page_one = client.get(LIST, {"search": "Wybrana"})
    marked = {c.krs_number for c in page_one.context["results"] if c.in_shortlist}
    assert marked == {first.krs_number}
    assert page_one.context["shortlist_count"] == 2
    html = page_one.content.decode()
    assert html.count(reverse("cooperatives:shortlist-remove")) == 1
    assert "Wybrane spółdzielnie: 2." in html
    page_two = client.get(LIST, {"search": "Wybrana", "page": 2})
    assert {c.krs_number for c in page_two.context["results"] if c.in_shortlist} == {second.krs_number}

    shown = client.get(SHORTLIST)
    assert [route.cooperative.pk for route in shown.context["routes"]] == [first.pk, second.pk]


def test_shortlist_is_editable_on_its_own_page(client):
    kept, removed = CooperativeFactory(), CooperativeFactory()
    for coop in (kept, removed):
        add(client, coop, SHORTLIST)
    response = client.post(reverse("cooperatives:shortlist-remove"), {"krs": removed.krs_number, "next": SHORTLIST})
    assert response["Location"] == f"{SHORTLIST}#wynik-{removed.krs_number}"
    assert shortlist.krs_numbers(client.session) == [kept.krs_number]
    page = client.get(SHORTLIST).content.decode()
    assert kept.name in page and removed.name not in page
    assert reverse("selfservice:inquiry") in page

    client.post(reverse("cooperatives:shortlist-clear"))
    assert shortlist.krs_numbers(client.session) == []
    assert "Lista jest pusta." in client.get(SHORTLIST).content.decode()


def test_inquiry_form_takes_the_shortlist(client):
    chosen = [CooperativeFactory(), CooperativeFactory()]
    for coop in chosen:
        add(client, coop, LIST)
    form = client.get(reverse("selfservice:inquiry")).context["form"]
    assert form.initial["krs"] == [coop.krs_number for coop in chosen]
    assert set(form.fields["krs"].queryset) == set(chosen)


def test_shortlist_page_says_which_cooperatives_an_inquiry_cannot_reach(client):
    CooperativeFactory(name="Spółdzielnia Z Adresem", email="a@coop.example")
    CooperativeFactory(name="Spółdzielnia Bez Adresu", email="")
    CooperativeFactory(name="Spółdzielnia Bez Zapytań", email="b@coop.example", accepts_inquiries=False)
    for coop in Cooperative.objects.all():
        add(client, coop, LIST)
    page = client.get(SHORTLIST).content.decode()
    assert "Otrzyma zapytanie e-mailem." in page
    assert "Nie otrzyma zapytania: brak adresu e-mail w rejestrze." in page
    assert "Nie przyjmuje zapytań przez portal." in page
    assert "a@coop.example" not in page and "b@coop.example" not in page  # unpublished addresses


@pytest.mark.parametrize(
    "krs",
    ["", "123", "abcdefghij", "0000000001", "9" * 200, "²" * 10],
    ids=["empty", "short", "letters", "unknown", "long", "superscripts"],
)
def test_bad_input_gets_a_message_never_a_500(client, krs):
    response = client.post(reverse("cooperatives:shortlist-add"), {"krs": krs, "next": LIST}, follow=True)
    assert response.status_code == 200
    assert "Nie ma w rejestrze takiej spółdzielni" in response.content.decode()
    assert shortlist.krs_numbers(client.session) == []


def test_a_krs_number_is_ten_ascii_digits():
    assert shortlist.is_krs("0000123456")
    assert not shortlist.is_krs("²" * 10)  # str.isdigit() accepts it, int() and the registry do not
    assert not shortlist.is_krs("٠" * 10)


def test_struck_off_cooperatives_cannot_be_added(client):
    deleted = CooperativeFactory(status=Cooperative.Status.DELETED)
    add(client, deleted, LIST)
    assert shortlist.krs_numbers(client.session) == []


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_redirect_back_stays_on_the_site(client, next_url):
    coop = CooperativeFactory()
    response = add(client, coop, next_url)
    assert response["Location"] == SHORTLIST


def test_shortlist_has_a_limit(client, monkeypatch):
    monkeypatch.setattr(shortlist, "MAX_SIZE", 2)
    coops = CooperativeFactory.create_batch(3)
    for coop in coops:
        response = add(client, coop, LIST)
    assert shortlist.krs_numbers(client.session) == [coops[0].krs_number, coops[1].krs_number]
    assert "Lista wybranych jest pełna" in client.get(response["Location"]).content.decode()


def test_only_posts_change_the_shortlist(client):
    coop = CooperativeFactory()
    assert client.get(reverse("cooperatives:shortlist-add"), {"krs": coop.krs_number}).status_code == 405


def _contacts(client):
    published = CooperativeFactory(
        name="Spółdzielnia Jawna",
        email="biuro@jawna.example",
        publish_email=True,
        phone="42 100 20 30",
        publish_phone=True,
        website="https://jawna.example",
    )
    hidden = CooperativeFactory(
        name='=HYPERLINK("http://x")',
        email="ukryty@tajna.example",
        publish_email=False,
        phone="42 999 99 99",
        publish_phone=False,
        website="https://tajna.example",
        publish_website=False,
    )
    for coop in (published, hidden):
        add(client, coop, LIST)
    return published, hidden


def test_contact_list_csv_is_semicolon_separated_with_polish_columns_and_published_contacts_only(client):
    published, hidden = _contacts(client)
    response = client.get(reverse("cooperatives:shortlist-export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == (
        "Nazwa;Numer KRS;NIP;Adres;Kod pocztowy;Miejscowość;Województwo;Telefon;E-mail;Strona internetowa;"
        "Zamówienia zastrzeżone (art. 94): próg 30%;Udział pracowników zagrożonych wykluczeniem (%);"
        "Udział według stanu na;Kody CPV ofert;Profil w portalu"
    )
    assert lines[1].startswith(f"Spółdzielnia Jawna;{published.krs_number};")
    assert ";42 100 20 30;biuro@jawna.example;https://jawna.example;" in lines[1]
    assert lines[1].endswith(f"http://testserver{published.get_absolute_url()}")
    for secret in ("ukryty@tajna.example", "42 999 99 99", "tajna.example"):
        assert secret not in text


def test_contact_list_xlsx_has_the_same_rows(client):
    published, hidden = _contacts(client)
    response = client.get(reverse("cooperatives:shortlist-export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0][:2] == ("Nazwa", "Numer KRS")
    assert rows[1][0] == "Spółdzielnia Jawna" and rows[1][8] == "biuro@jawna.example"
    assert rows[2][0] == hidden.name and rows[2][7:10] == (None, None, None)
    assert sheet.cell(row=3, column=1).data_type == "s"  # a name like a formula stays text


def test_empty_shortlist_export_is_404(client):
    assert client.get(reverse("cooperatives:shortlist-export", args=["csv"])).status_code == 404


def test_shortlist_and_inquiry_form_speak_english_under_en(client):
    coop = CooperativeFactory(email="")
    add(client, coop, LIST)
    page = client.get("/en" + SHORTLIST).content.decode()
    assert "Shortlisted cooperatives" in page
    assert "Will not receive the request: no e-mail address in the register." in page
    assert "Wybrane" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    form = client.get("/en/panel/zapytanie/").content.decode()
    assert "Retention period:" in form and "Data controller:" in form


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_shortlist_and_inquiry_pages_query_count_does_not_grow_with_the_list(client):
    from .selfservice_helpers import representative

    first = CooperativeFactory.create_batch(2, email="a@coop.example")
    for coop in first:
        add(client, coop, LIST)
        representative(coop)
    client.get(SHORTLIST)  # warm the caches (the demo-data flag of the layout)
    few = _queries(client, SHORTLIST), _queries(client, reverse("selfservice:inquiry"))
    for coop in CooperativeFactory.create_batch(6, email=""):
        add(client, coop, LIST)
        representative(coop)
    many = _queries(client, SHORTLIST), _queries(client, reverse("selfservice:inquiry"))
    assert many == few
    assert few[0] == 3  # the session, the cooperatives with their units, the representatives' addresses
