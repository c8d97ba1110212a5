"""Reserved contracts (art. 94 of the public procurement law) and the official registers on a profile (issue 13, the
buyer's view), and the contact list's buyer columns.

Before: a profile said nothing about the share of employees at risk of exclusion, there was no field for it and no
"can take reserved contracts" filter (`?reserved=art94` was ignored), no link to the KRS or the social-enterprise
register, and the contact list had neither the share nor the offers' CPV codes.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cooperatives.models import Cooperative
from cooperatives.reserved import ReservedShare

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import profile_post_data, representative

pytestmark = pytest.mark.django_db

API = "/api/v1"
LIST = reverse("cooperatives:list")
TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=60)
OLD = TODAY - datetime.timedelta(days=3 * 365)


def test_share_is_exact_in_integers_and_shown_to_one_decimal():
    assert ReservedShare(employees=10, at_risk=3, as_of=RECENT).meets_threshold  # exactly 30%
    assert not ReservedShare(employees=7, at_risk=2, as_of=RECENT).meets_threshold  # 28.6%
    assert ReservedShare(employees=12, at_risk=5, as_of=RECENT).percent == Decimal("41.7")
    assert not ReservedShare(employees=10, at_risk=5, as_of=OLD).qualifies  # older than 2 years


@pytest.fixture
def declared():
    """Cooperatives by what they declared on their profiles."""
    make = CooperativeFactory
    return {
        "above": make(name="Spółdzielnia Powyżej", employees_count=12, employees_at_risk_count=5, counts_as_of=RECENT),
        "exact": make(name="Spółdzielnia Równo", employees_count=10, employees_at_risk_count=3, counts_as_of=RECENT),
        "below": make(name="Spółdzielnia Poniżej", employees_count=7, employees_at_risk_count=2, counts_as_of=RECENT),
        "old": make(name="Spółdzielnia Dawna", employees_count=10, employees_at_risk_count=9, counts_as_of=OLD),
        "inactive": make(
            name="Spółdzielnia Uśpiona",
            status=Cooperative.Status.INACTIVE,
            employees_count=10,
            employees_at_risk_count=9,
            counts_as_of=RECENT,
        ),
        "silent": make(name="Spółdzielnia Milcząca", employees_count=10, counts_as_of=RECENT),
    }


def test_reserved_filter_on_the_catalogue_page_and_the_api(client, declared):
    expected = ["Spółdzielnia Powyżej", "Spółdzielnia Równo"]
    response = client.get(f"{API}/cooperatives/", {"reserved": "art94"})
    assert sorted(item["name"] for item in response.json()["results"]) == expected
    page = client.get(LIST, {"reserved": "art94"}).content.decode()
    for name, coop in declared.items():
        assert (f">{coop.name}</a>" in page) == (coop.name in expected), name
    assert '<input type="checkbox" id="id_reserved" name="reserved" value="art94" checked' in page
    # The chosen filter is named among the active ones, with a link that removes it.
    assert "Zamówienia zastrzeżone (art. 94)" in page


def test_reserved_filter_on_offers_and_bad_values(client, declared):
    OfferFactory(cooperative=declared["above"], title="Obiady")
    OfferFactory(cooperative=declared["below"], title="Sprzątanie")
    titles = [item["title"] for item in client.get(f"{API}/offers/", {"reserved": "art94"}).json()["results"]]
    assert titles == ["Obiady"]
    response = client.get(f"{API}/cooperatives/", {"reserved": "tak"})
    assert response.status_code == 400 and list(response.json()) == ["reserved"]
    assert client.get(LIST, {"reserved": "tak"}).status_code == 400


def test_reserved_filter_adds_no_query(client, declared, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as plain:
        client.get(LIST)
    cache.clear()
    with django_assert_max_num_queries(len(plain)):
        client.get(LIST, {"reserved": "art94", "cpv": "55"})


def box(client, coop) -> str:
    page = client.get(coop.get_absolute_url()).content.decode()
    return page.split('id="reserved-title"', 1)[1].split("</section>", 1)[0]


def test_profile_shows_the_declared_share_its_date_source_and_who_verifies(client, declared):
    text = box(client, declared["above"])
    assert "41,7% (5 z 12 pracowników)" in text
    assert f"wg danych spółdzielni, stan na {RECENT.day}" in text
    assert "spółdzielnia może ubiegać się o zamówienia zastrzeżone" in text
    assert "weryfikuje zamawiający" in text
    assert "niższy niż 30%" in box(client, declared["below"])
    assert "dane mają ponad 2 lata" in box(client, declared["old"])
    assert "nie jest aktywna" in box(client, declared["inactive"])
    assert "nie podała w profilu" in box(client, declared["silent"])


def test_a_survey_answer_is_never_published_on_the_profile(client):
    """Individual survey answers are confidential (docs/decisions/0006): a cooperative that answered the survey
    but declared nothing on its profile shows no share."""
    from monitoring import services
    from monitoring.forms import clean_answers
    from monitoring.selectors import questionnaire
    from tests.monitoring.conftest import VALID_ANSWERS, make_wave

    coop = CooperativeFactory(name="Spółdzielnia Ankietowana")
    user = representative(coop)
    wave = make_wave()
    questions = questionnaire(wave)
    answers = {**VALID_ANSWERS, "employment_total": "17", "employment_at_risk": "9"}
    values, errors = clean_answers(questions, answers, complete=True)
    assert errors == {}
    services.response_save(wave=wave, cooperative=coop, questions=questions, values=values, user=user, submit=True)
    text = box(client, coop)
    assert "nie podała w profilu" in text
    assert "52,9" not in text and "9 z 17" not in text
    page = client.get(coop.get_absolute_url()).content.decode()
    assert ">17<" not in page and ">9<" not in page


def test_profile_form_takes_the_declaration_and_checks_it(client):
    coop = CooperativeFactory(employees_count=8, counts_as_of=RECENT)
    client.force_login(representative(coop))
    url = reverse("selfservice:cooperative-edit", args=[coop.krs_number])
    as_of = RECENT.isoformat()
    too_many = profile_post_data(coop, employees_at_risk_count="9", counts_as_of=as_of)
    response = client.post(url, too_many)
    assert response.status_code == 200
    assert "nie może przekraczać liczby pracowników" in response.content.decode()
    no_date = profile_post_data(coop, employees_at_risk_count="3", counts_as_of="")
    assert "Podaj datę, według której stanu podajesz liczby." in client.post(url, no_date).content.decode()
    future = profile_post_data(coop, employees_at_risk_count="3", counts_as_of=str(TODAY + datetime.timedelta(days=5)))
    assert "Data stanu nie może być z przyszłości." in client.post(url, future).content.decode()
    assert client.post(url, profile_post_data(coop, employees_at_risk_count="3", counts_as_of=as_of)).status_code == 302
    coop.refresh_from_db()
    assert coop.employees_at_risk_count == 3
    assert "37,5% (3 z 8 pracowników)" in box(client, coop)


def test_write_api_checks_the_declaration(client):
    coop = CooperativeFactory(employees_count=8, counts_as_of=RECENT)
    client.force_login(representative(coop))
    url = f"{API}/manage/cooperatives/{coop.krs_number}/"
    response = client.patch(
        url, {"employees_at_risk_count": 9, "version": coop.version}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nie może przekraczać" in response.json()["employees_at_risk_count"][0]
    response = client.patch(
        url, {"employees_at_risk_count": 4, "version": coop.version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    coop.refresh_from_db()
    assert coop.employees_at_risk_count == 4


def test_official_registers_are_linked_honestly(client):
    plain = CooperativeFactory(krs_number="0000123456")
    page = client.get(plain.get_absolute_url()).content.decode()
    registers = page.split('id="registers-title"', 1)[1].split("</section>", 1)[0]
    assert '<a href="https://wyszukiwarka-krs.ms.gov.pl/" rel="noopener external">' in registers
    assert "<code>0000123456</code>" in registers
    assert "target=" not in registers
    assert "rejestrpes.pl" not in registers  # only for social enterprises
    ps = CooperativeFactory(is_social_enterprise=True)
    page = client.get(ps.get_absolute_url()).content.decode()
    assert '<a href="https://rejestrpes.pl/" rel="noopener external">' in page


# --- The contact list -----------------------------------------------------------------------------------------------


def test_contact_list_has_the_art_94_verdict_share_date_and_cpv_codes(client, declared):
    OfferFactory(cooperative=declared["above"], cpv_code="90910000-9")
    OfferFactory(cooperative=declared["above"], cpv_code="55520000-1")
    OfferFactory(cooperative=declared["above"], cpv_code="55520000-1")
    OfferFactory(cooperative=declared["above"], cpv_code="45000000-7", is_active=False)
    for key in ("above", "below", "silent", "old"):
        client.post(reverse("cooperatives:shortlist-add"), {"krs": declared[key].krs_number, "next": LIST})
    response = client.get(reverse("cooperatives:shortlist-export", args=["xlsx"]))
    rows = [
        tuple(cell.value for cell in row)
        for row in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows()
    ]
    assert rows[0][10:] == (
        "Zamówienia zastrzeżone (art. 94): próg 30%",
        "Udział pracowników zagrożonych wykluczeniem (%)",
        "Udział według stanu na",
        "Kody CPV ofert",
        "Profil w portalu",
    )
    above, below, silent, old = rows[1:]
    assert above[10:14] == ("tak", 41.7, datetime.datetime.combine(RECENT, datetime.time()), "55520000-1, 90910000-9")
    assert below[10:12] == ("nie", 28.6)
    assert silent[10:14] == ("brak danych", None, None, None)
    assert old[10] == "dane starsze niż 2 lata"
    csv_text = b"".join(client.get(reverse("cooperatives:shortlist-export", args=["csv"])).streaming_content).decode(
        "utf-8-sig"
    )
    assert f";tak;41.7;{RECENT.isoformat()};55520000-1, 90910000-9;" in csv_text


def test_the_buyer_blocks_speak_english_under_en(client, declared):
    page = client.get("/en" + declared["above"].get_absolute_url()).content.decode()
    text = page.split('id="reserved-title"', 1)[1].split("</section>", 1)[0]
    assert "Reserved contracts (art. 94 of the Public Procurement Law)" in text
    assert "41.7% (5 of 12 employees)" in text
    assert "as declared by the cooperative, as of" in text
    assert "KRS extract: the official search of the Ministry of Justice" in page
    catalogue = client.get("/en" + LIST, {"reserved": "art94"}).content.decode()
    assert "For buyers" in catalogue and "CPV code (Common Procurement Vocabulary)" in catalogue
