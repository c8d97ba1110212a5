"""Public forms (error reports, buyer inquiries), profile actions, CSRF, the moderation desk, stale profiles."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cooperatives.models import ErrorReport, Inquiry, Membership, RepresentationRequest
from cooperatives.selfservice_selectors import stale_cooperatives

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import LODZKIE, coordinator, profile_post_data, representative, staff_user, verified_user

pytestmark = pytest.mark.django_db


# --- Error reports -------------------------------------------------------------------------------------------


def test_error_report_is_stored_and_shown_on_the_desk(client):
    coop = CooperativeFactory()
    response = client.post(
        reverse("selfservice:report-error", args=[coop.krs_number]),
        {"message": "Telefon jest nieaktualny.", "reporter_email": "", "website_url": ""},
    )
    assert response.status_code == 302
    report = ErrorReport.objects.get()
    assert (report.cooperative, report.message) == (coop, "Telefon jest nieaktualny.")
    client.force_login(staff_user())
    desk = client.get(reverse("selfservice:moderation"))
    assert report in desk.context["error_reports"]


def test_error_report_honeypot_refuses_bots(client):
    coop = CooperativeFactory()
    response = client.post(
        reverse("selfservice:report-error", args=[coop.krs_number]),
        {"message": "spam", "website_url": "http://spam.example"},
    )
    assert response.status_code == 200
    assert not ErrorReport.objects.exists()


def test_error_report_is_rate_limited(client, settings):
    settings.PORTAL_PUBLIC_FORM_RATE = (2, 3600)
    coop = CooperativeFactory()
    url = reverse("selfservice:report-error", args=[coop.krs_number])
    assert client.post(url, {"message": ""}).status_code == 200  # incomplete: not counted
    for _ in range(2):
        assert client.post(url, {"message": "błąd"}).status_code == 302
    response = client.post(url, {"message": "błąd"})
    assert response.status_code == 429
    assert "zbyt wiele" in response.content.decode().lower()
    assert ErrorReport.objects.count() == 2


def test_error_report_form_enforces_csrf():
    coop = CooperativeFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("selfservice:report-error", args=[coop.krs_number]), {"message": "x"})
    assert response.status_code == 403
    assert not ErrorReport.objects.exists()


def test_profile_form_enforces_csrf():
    coop = CooperativeFactory(description="bez zmian")
    client = Client(enforce_csrf_checks=True)
    client.force_login(representative(coop))
    response = client.post(
        reverse("selfservice:cooperative-edit", args=[coop.krs_number]), profile_post_data(coop, description="x")
    )
    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.description == "bez zmian"


def test_api_session_writes_enforce_csrf():
    coop = CooperativeFactory(description="bez zmian")
    client = Client(enforce_csrf_checks=True)
    client.force_login(representative(coop))
    response = client.patch(
        f"/api/v1/manage/cooperatives/{coop.krs_number}/",
        '{"description": "x", "version": 1}',
        content_type="application/json",
    )
    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.description == "bez zmian"


# --- Inquiries -----------------------------------------------------------------------------------------------


INQUIRY = {
    "subject": "Catering na konferencję",
    "details": "80 osób, obiad i przerwa kawowa.",
    "place": "Łódź",
    "timeframe": "15 maja",
    "budget": "8000 zł",
    "contact_name": "Anna Zamawiająca",
    "organisation": "Urząd Gminy",
    "contact_email": "zamowienia@gmina.example",
    "contact_phone": "",
}


def test_inquiry_preselects_catalogue_choice_and_emails_each_registry_address(
    client, django_capture_on_commit_callbacks
):
    with_email = CooperativeFactory(email="a@coop.example", publish_email=True)
    unpublished = CooperativeFactory(email="ukryty@coop.example", publish_email=False)
    not_selected = CooperativeFactory(email="c@coop.example", publish_email=True)
    response = client.get(reverse("selfservice:inquiry"), {"krs": [with_email.krs_number, unpublished.krs_number]})
    form = response.context["form"]
    assert set(form.fields["krs"].queryset) == {with_email, unpublished}
    assert form.initial["krs"] == [with_email.krs_number, unpublished.krs_number]

    with django_capture_on_commit_callbacks(execute=True):  # the delivery task runs (eagerly)
        response = client.post(
            reverse("selfservice:inquiry"), {**INQUIRY, "krs": [with_email.krs_number, unpublished.krs_number]}
        )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert set(inquiry.cooperatives.all()) == {with_email, unpublished}
    # Every registry address gets it, published or not (issue 13), one message per cooperative, plus the
    # buyer's copy. (Before, only published addresses were e-mailed.)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@coop.example", "ukryty@coop.example", "zamowienia@gmina.example"]
    assert "zamowienia@gmina.example" in mail.outbox[0].body
    assert not_selected not in inquiry.cooperatives.all()


def test_inquiry_sender_data_visible_only_to_addressed_representatives_and_staff(client):
    addressed = CooperativeFactory()
    other = CooperativeFactory()
    client.post(reverse("selfservice:inquiry"), {**INQUIRY, "krs": [addressed.krs_number]})
    inquiry = Inquiry.objects.get()
    url = reverse("selfservice:inquiry-detail", args=[inquiry.pk])

    client.force_login(representative(addressed))
    assert "zamowienia@gmina.example" in client.get(url).content.decode()
    assert inquiry in client.get(reverse("selfservice:dashboard")).context["inquiries"]

    client.force_login(representative(other))
    assert client.get(url).status_code == 403
    assert list(client.get(reverse("selfservice:dashboard")).context["inquiries"]) == []

    client.force_login(coordinator(LODZKIE))  # coordinators moderate entries, they are not addressees
    assert client.get(url).status_code == 403
    client.force_login(staff_user())
    assert client.get(url).status_code == 200


def test_inquiry_is_rate_limited_and_validated(client, settings):
    settings.PORTAL_PUBLIC_FORM_RATE = (1, 3600)
    coop = CooperativeFactory()
    response = client.post(reverse("selfservice:inquiry"), {**INQUIRY, "contact_email": "zły", "krs": []})
    form = response.context["form"]
    assert "contact_email" in form.errors and "krs" in form.errors
    # Invalid submissions do not count; the second complete one is over the limit.
    assert client.post(reverse("selfservice:inquiry"), {**INQUIRY, "krs": [coop.krs_number]}).status_code == 302
    response = client.post(reverse("selfservice:inquiry"), {**INQUIRY, "krs": [coop.krs_number]})
    assert response.status_code == 429
    assert Inquiry.objects.count() == 1


# --- Profile actions ----------------------------------------------------------------------------------------


def test_profile_actions_offer_the_right_links():
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    coop = CooperativeFactory()
    rep = representative(coop)

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "cooperatives/profile_actions.html", {"cooperative": coop, "user": user}, request=request
        )

    from django.contrib.auth.models import AnonymousUser

    anonymous = render(AnonymousUser())
    assert reverse("selfservice:report-error", args=[coop.krs_number]) in anonymous
    assert reverse("account_login") in anonymous
    assert reverse("selfservice:cooperative-edit", args=[coop.krs_number]) not in anonymous
    assert reverse("selfservice:cooperative-edit", args=[coop.krs_number]) in render(rep)
    assert reverse("selfservice:representation-request") in render(verified_user())


# --- Moderation desk ----------------------------------------------------------------------------------------


def _pending_requests(count):
    for _ in range(count):
        RepresentationRequest.objects.create(
            user=verified_user(), cooperative=CooperativeFactory(), role_in_cooperative="prezes"
        )


@pytest.mark.parametrize("count", [2, 6])
def test_moderation_desk_query_count_does_not_grow(client, django_assert_num_queries, count):
    _pending_requests(count)
    client.force_login(coordinator(LODZKIE))
    with django_assert_num_queries(10):
        response = client.get(reverse("selfservice:moderation"))
    assert len(response.context["representation_requests"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_stale_list_query_count_does_not_grow(client, django_assert_num_queries, count):
    for _ in range(count):
        representative(CooperativeFactory())
    client.force_login(staff_user())
    with django_assert_num_queries(7):
        response = client.get(reverse("selfservice:stale"))
    assert len(response.context["cooperatives"]) == count


# --- Stale profiles -----------------------------------------------------------------------------------------


def test_stale_command_lists_and_emails_representatives(django_capture_on_commit_callbacks):
    stale = CooperativeFactory(verified_at=timezone.now() - timedelta(days=400))
    fresh = CooperativeFactory(verified_at=timezone.now() - timedelta(days=10))
    never = CooperativeFactory()
    nobody = CooperativeFactory()  # no representatives: nobody to remind
    owner = representative(stale)
    editor = representative(stale, Membership.Role.EDITOR)
    representative(fresh)
    never_owner = representative(never)
    assert set(stale_cooperatives()) == {stale, never}

    out = StringIO()
    call_command("notify_stale_cooperatives", "--dry-run", stdout=out)
    assert stale.krs_number in out.getvalue() and never.krs_number in out.getvalue()
    assert fresh.krs_number not in out.getvalue() and nobody.krs_number not in out.getvalue()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):  # the queued reminders are sent (eagerly)
        call_command("notify_stale_cooperatives", stdout=StringIO())
    recipients = sorted(sorted(m.to) for m in mail.outbox)
    assert recipients == sorted([sorted([owner.email, editor.email]), [never_owner.email]])


# --- Pages render accessibly ---------------------------------------------------------------------------------


def test_every_selfservice_page_has_one_h1_and_labelled_fields(client):
    import re

    coop = CooperativeFactory()
    offer = OfferFactory(cooperative=coop)
    request_obj = RepresentationRequest.objects.create(user=verified_user(), cooperative=coop, role_in_cooperative="x")
    client.force_login(staff_user())
    urls = [
        reverse("selfservice:dashboard"),
        reverse("selfservice:cooperative-edit", args=[coop.krs_number]),
        reverse("selfservice:change-request", args=[coop.krs_number]),
        reverse("selfservice:offer-create", args=[coop.krs_number]),
        reverse("selfservice:offer-edit", args=[offer.pk]),
        reverse("selfservice:photos", args=[coop.krs_number]),
        reverse("selfservice:members", args=[coop.krs_number]),
        reverse("selfservice:history", args=[coop.krs_number]),
        reverse("selfservice:moderation"),
        reverse("selfservice:representation-review", args=[request_obj.pk]),
        reverse("selfservice:stale"),
        reverse("selfservice:representation-request") + "?krs=" + coop.krs_number,
        reverse("selfservice:report-error", args=[coop.krs_number]),
        reverse("selfservice:inquiry") + "?krs=" + coop.krs_number,
        reverse("selfservice:api-token"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
            field_id = re.search(r'\bid="([^"]+)"', tag)
            if 'type="hidden"' in tag or field_id is None:
                continue
            field_id = field_id.group(1)
            assert f'for="{field_id}"' in html, f"{url}: #{field_id} has no label"


def test_purge_inquiries_deletes_only_old_ones():
    coop = CooperativeFactory()
    data = dict(INQUIRY)
    old = Inquiry.objects.create(**data)
    Inquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=800))
    recent = Inquiry.objects.create(**data)
    recent.recipients.create(cooperative=coop)
    out = StringIO()
    call_command("purge_inquiries", stdout=out)
    assert list(Inquiry.objects.all()) == [recent]
    assert "Deleted 1" in out.getvalue()
