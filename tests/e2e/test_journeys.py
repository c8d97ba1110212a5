"""User journeys in a real browser (Chromium through Playwright) against the live test server.

Staff sign in through the real log-in form and its TOTP step with a code computed from the secret the test gave
them (TOTP.activate), so the journey also proves two-factor log-in works in a browser. The accessibility scans
(test_accessibility.py) sign users in with a session cookie from Client.force_login instead, which is faster.
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import MINISTRY_STAFF
from cooperatives.models import Membership, RepresentationRequest, ReviewStatus
from monitoring.models import Response
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import PASSWORD, representative, verified_user
from tests.monitoring.conftest import VALID_ANSWERS, make_wave
from tests.trainings.factories import TrainingFactory, TrainingSessionFactory
from trainings.models import Enrolment

from .helpers import current_totp_code, fill_form, last_link_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

STRONG = "Spoldzielnia-Socjalna-2026!"


def submit(page, scope="main form[method=post]"):
    with page.expect_navigation():
        page.locator(scope).last.locator("button[type=submit]").first.click()


def staff_with_totp() -> tuple[User, str]:
    user = verified_user()
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def log_in(page, user, *, totp_secret: str | None = None):
    page.goto(reverse("account_login"))
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', PASSWORD)
    submit(page)
    if totp_secret:
        page.fill('input[name="code"]', current_totp_code(totp_secret))
        with page.expect_navigation():
            page.press('input[name="code"]', "Enter")
    assert page.locator("form[action$='/konto/logout/'], form[action*='logout']").count() == 1


def test_search_filter_profile_and_map(page):
    target = CooperativeFactory(
        name="Spółdzielnia Socjalna Zielony Ogród",
        description="Pielęgnacja terenów zielonych.",
        latitude=Decimal("51.759"),
        longitude=Decimal("19.456"),
    )
    OfferFactory(cooperative=target, title="Koszenie trawników")
    CooperativeFactory(name="Spółdzielnia Socjalna Piekarnia", gmina_id="1465011")  # Warszawa, another voivodeship

    page.goto(reverse("cooperatives:list"))
    page.fill("#id_search", "Ogród")
    with page.expect_navigation():
        page.locator("form.catalogue-search button[type=submit]").click()
    results = page.locator("main h2 a, main h3 a").all_inner_texts()
    assert any("Zielony Ogród" in text for text in results)
    assert not any("Piekarnia" in text for text in results)

    # A facet link narrows the results and marks itself as selected.
    with page.expect_navigation():
        page.locator("a.facet-value", has_text="łódzkie").first.click()
    assert "wojewodztwo" in page.url or "voivodeship" in page.url or "=10" in page.url
    assert page.locator("a.facet-value.is-selected", has_text="łódzkie").count() == 1

    with page.expect_navigation():
        page.get_by_role("link", name="Spółdzielnia Socjalna Zielony Ogród").first.click()
    assert page.url.endswith(reverse("cooperatives:detail", args=[target.krs_number]))
    assert page.locator("h1").inner_text() == "Spółdzielnia Socjalna Zielony Ogród"
    assert "Koszenie trawników" in page.locator("main").inner_text()

    # The map fetches its points from the portal (tiles are blocked: nothing leaves the machine).
    with page.expect_response(lambda r: "/mapa/dane.json" in r.url) as data:
        page.goto(reverse("cooperatives:map"))
    assert data.value.ok
    total = data.value.json()["total"]
    assert total >= 1  # the one with coordinates at least; others only if their gmina has a centre
    page.wait_for_function("document.getElementById('map-status').textContent.includes('obszarze')")
    assert page.locator("#map-status").inner_text() == f"Spółdzielnie w widocznym obszarze: {total}."
    assert page.locator("#registry-map .leaflet-marker-icon").count() >= 1


def test_open_data_csv_download(page):
    CooperativeFactory(name="Spółdzielnia Socjalna Otwarta")
    page.goto(reverse("cooperatives:open-data"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Spółdzielnie – CSV").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert "Spółdzielnia Socjalna Otwarta" in rows[0].values()


def test_sign_up_representation_moderation_and_edit(new_page):
    cooperative = CooperativeFactory(email="", description="Stary opis")
    page = new_page()

    page.goto(reverse("account_signup"))
    fill_form(page, {"email": "prezes@example.org", "password1": STRONG, "password2": STRONG})
    submit(page)
    assert len(mail.outbox) == 1
    page.goto(last_link_in(mail.outbox[0]))
    submit(page)  # confirming takes a POST; the user is then signed in
    user = User.objects.get(email="prezes@example.org")

    page.goto(reverse("selfservice:representation-request"))
    page.fill('main form[role=search] input[name="q"]', cooperative.krs_number)
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_role("link", name=cooperative.name).click()
    fill_form(page, {"role_in_cooperative": "prezes zarządu"})
    submit(page)
    request_obj = RepresentationRequest.objects.get(user=user)
    assert request_obj.status == ReviewStatus.PENDING

    # Ministry staff approve it in the moderation desk, signed in with e-mail, password and a TOTP code.
    staff, secret = staff_with_totp()
    desk = new_page()
    log_in(desk, staff, totp_secret=secret)
    desk.goto(reverse("selfservice:moderation"))
    with desk.expect_navigation():
        desk.get_by_role("link", name=cooperative.name).first.click()
    fill_form(desk, {"decision": "approve"})
    submit(desk)
    request_obj.refresh_from_db()
    assert request_obj.status == ReviewStatus.APPROVED
    assert Membership.objects.filter(user=user, cooperative=cooperative).exists()

    # The new representative edits the profile; the change is public at once.
    page.goto(reverse("selfservice:cooperative-edit", args=[cooperative.krs_number]))
    page.fill('textarea[name="description"]', "Nowy opis z przeglądarki")
    submit(page)
    cooperative.refresh_from_db()
    assert cooperative.description == "Nowy opis z przeglądarki"
    page.goto(cooperative.get_absolute_url())
    assert "Nowy opis z przeglądarki" in page.locator("main").inner_text()


def test_representative_fills_a_monitoring_survey(new_page, client):
    cooperative = CooperativeFactory()
    user = representative(cooperative)
    wave = make_wave()
    page = new_page()
    log_in(page, user)
    page.goto(reverse("selfservice:dashboard"))
    fill_url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": cooperative.krs_number})
    with page.expect_navigation():
        page.locator(f'a[href="{fill_url}"]').first.click()

    # An invalid answer is refused with an error summary that takes the focus.
    fill_form(page, {**VALID_ANSWERS, "employment_total": "-3"})
    with page.expect_navigation():
        page.locator('button[name="submit"]').click()
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert summary.evaluate("el => el === document.activeElement || el.getAttribute('role') === 'alert'")

    fill_form(page, VALID_ANSWERS)
    with page.expect_navigation():
        page.locator('button[name="submit"]').click()
    stored = Response.objects.get(wave=wave, cooperative=cooperative)
    assert stored.status == Response.Status.SUBMITTED
    assert stored.answers.get(question__code="employment_total").numeric_value == 6


def test_registering_for_a_training(page):
    training = TrainingFactory(title="Szkolenie z zamówień publicznych")
    TrainingSessionFactory(training=training)
    page.goto(reverse("trainings:index"))
    with page.expect_navigation():
        page.get_by_role("link", name="Szkolenie z zamówień publicznych").first.click()
    fill_form(
        page,
        {
            "first_name": "Anna",
            "last_name": "Nowak",
            "email": "anna@example.org",
            "position": "pracownik socjalny",
            "institution_name": "Miejski Ośrodek Pomocy Rodzinie",
            "institution_type": "ops",
            "institution_gmina": "1061011",
            "consent": "on",
        },
        scope="#registration form, form[action$='#registration']",
    )
    submit(page, "form[action$='#registration']")
    enrolment = Enrolment.objects.get(training=training)
    assert enrolment.participant.email == "anna@example.org"
    assert enrolment.status == Enrolment.Status.PENDING  # no seat before the address is confirmed
    assert "potwierdz" in page.locator("main").inner_text().lower()
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]

    # The link from the e-mail: the page shows the registration, the button confirms it.
    link = re.search(r"https?://[^/\s]+(/szkolenia/potwierdzenie/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    submit(page, "main form")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.REGISTERED
    assert "miejsce jest Twoje" in page.locator("main").inner_text()
    assert [m.to for m in mail.outbox] == [["anna@example.org"], ["anna@example.org"]]


def test_staff_export_of_training_participants(new_page):
    training = TrainingFactory(title="Szkolenie eksportowe")
    page = new_page()
    page.goto(training.get_absolute_url())
    fill_form(
        page,
        {
            "first_name": "Jan",
            "last_name": "Kowalski",
            "email": "jan@example.org",
            "position": "asystent",
            "institution_name": "Powiatowy Urząd Pracy",
            "institution_type": "ops",
            "institution_gmina": "1061011",
            "consent": "on",
        },
        scope="form[action$='#registration']",
    )
    submit(page, "form[action$='#registration']")

    staff, secret = staff_with_totp()
    desk = new_page()
    log_in(desk, staff, totp_secret=secret)
    desk.goto(reverse("trainings:participants", args=[training.pk]))
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Pobierz CSV").click()
    download = download_info.value
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert "Kowalski" in rows[1] and "jan@example.org" in rows[1]


def test_buyer_shortlists_on_two_pages_and_sends_one_inquiry(page):
    """Search, tick a cooperative on page 1 and one on page 2, review the shortlist, send one inquiry and read
    what really happened to each cooperative (issue 13)."""
    names = [f"Spółdzielnia Socjalna Kupiecka {n:02d}" for n in range(25)]  # 20 per page: two pages
    coops = [CooperativeFactory(name=name, email="", phone="42 555 00 11", publish_phone=True) for name in names]
    quiet = coops[0]  # page 1: an address in the registry, not published, and a representative
    quiet.email, quiet.publish_email = "ukryty@kupiecka.example", False
    quiet.save()
    rep = representative(quiet)
    unreachable = coops[20]  # page 2: no address, no representative; its phone is published

    page.goto(reverse("cooperatives:list"))
    page.fill("#id_search", "Kupiecka")
    with page.expect_navigation():
        page.locator("form.catalogue-search button[type=submit]").click()
    with page.expect_navigation():
        page.locator(f"#wynik-{quiet.krs_number} button").click()
    assert "search=Kupiecka" in page.url and page.url.endswith(f"#wynik-{quiet.krs_number}")
    assert "Na liście wybranych" in page.locator(f"#wynik-{quiet.krs_number}").inner_text()

    with page.expect_navigation():
        page.locator("nav.pagination-nav a[rel=next]").click()
    with page.expect_navigation():
        page.locator(f"#wynik-{unreachable.krs_number} button").click()
    assert "page=2" in page.url
    with page.expect_navigation():
        page.locator("nav.pagination-nav a[rel=prev]").click()
    assert "Na liście wybranych" in page.locator(f"#wynik-{quiet.krs_number}").inner_text()  # survived paging
    assert "Wybrane spółdzielnie: 2." in page.locator(".inquiry-submit").inner_text()

    with page.expect_navigation():
        page.locator(".inquiry-submit a").click()
    table = page.locator("main table").inner_text()
    assert quiet.name in table and unreachable.name in table
    assert "Nie otrzyma zapytania: brak adresu e-mail w rejestrze." in table
    assert "ukryty@kupiecka.example" not in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Wyślij zapytanie ofertowe do wybranych").click()
    assert "Okres przechowywania" in page.locator("main").inner_text()
    fill_form(
        page,
        {
            "subject": "Catering dla 40 osób",
            "details": "Obiad i przerwa kawowa.",
            "place": "Łódź",
            "timeframe": "czerwiec",
            "contact_name": "Anna Zamawiająca",
            "contact_email": "anna@urzad.example",
        },
    )
    submit(page)
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    result = page.locator("main").inner_text()
    assert f"{quiet.name}\tWysłano e-mailem." in result
    assert f"{unreachable.name}\tNie dostarczono: brak adresu e-mail." in result
    assert page.locator(f"main a[href='{unreachable.get_absolute_url()}']").count() == 1
    assert page.locator("main a[href='tel:425550011']").count() == 1
    assert "ukryty@kupiecka.example" not in page.content()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"ukryty@kupiecka.example", rep.email, "anna@urzad.example"}
    for address in ("ukryty@kupiecka.example", rep.email):
        assert by_address[address].reply_to == ["anna@urzad.example"]
    copy = by_address["anna@urzad.example"]
    assert f"{quiet.name}: wysłano." in copy.body
    assert f"{unreachable.name}: nie dostarczono (brak adresu e-mail). Telefon: 42 555 00 11." in copy.body
    assert "ukryty@kupiecka.example" not in copy.body and rep.email not in copy.body
