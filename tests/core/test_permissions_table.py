"""docs/permissions.md lists every route, and every route not marked public there refuses an anonymous visitor.

A new URL pattern or API route fails the first test until it is written into the table with its roles; a route
marked not public fails the second one if it answers an anonymous request with data (or a 500).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse
from django.utils import translation

from cooperatives.models import ChangeRequest, CooperativePhoto, ErrorReport, Inquiry, RepresentationRequest
from monitoring.models import Response
from tests.cooperatives.factories import CooperativeFactory, MembershipFactory, OfferFactory
from tests.factories import UserFactory
from tests.monitoring.conftest import make_wave
from tests.publications.factories import EditionFactory, PersonFactory, PublicationFactory, SeriesFactory
from tests.trainings.factories import CertificateFactory, EnrolmentFactory, TrainingSessionFactory

from .routes import Route, all_routes, build_path

TABLE = Path(settings.BASE_DIR) / "docs" / "permissions.md"
ADMIN_FAMILY = "<ADMIN_URL>*"
ROW = re.compile(r"^\|\s*`(?P<route>(?:[^`\\]|\\.)+)`\s*\|\s*`[^`]*`\s*\|\s*(?P<anonymous>[a-z]+)\s*\|")
ANONYMOUS_VALUES = {"yes", "no", "link"}


def documented_routes() -> dict[str, str]:
    """Route -> the "Anonymous" cell of its row."""
    rows = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["route"].replace("\\|", "|")] = match["anonymous"]
    return rows


def is_admin(route: Route) -> bool:
    return route.pattern.startswith(settings.ADMIN_URL)


def test_every_route_is_in_the_permission_table():
    documented = documented_routes()
    assert set(documented.values()) <= ANONYMOUS_VALUES
    routes = all_routes()
    assert len(routes) > 300  # the walk reaches the DRF router, allauth and the admin
    assert any(is_admin(route) for route in routes)
    missing = sorted({r.documented_as for r in routes if not is_admin(r)} - set(documented))
    assert not missing, f"routes missing from docs/permissions.md: {missing}"
    # The admin family is one row, and nobody may use it anonymously.
    assert documented[ADMIN_FAMILY] == "no"
    stale = sorted(set(documented) - {r.documented_as for r in routes} - {ADMIN_FAMILY})
    assert not stale, f"docs/permissions.md lists routes that no longer exist: {stale}"


@pytest.fixture
def registry(db):
    """One of everything a URL parameter can point at, owned by someone other than the anonymous visitor."""
    owner = UserFactory()
    cooperative = CooperativeFactory()
    membership = MembershipFactory(cooperative=cooperative, user=owner)
    offer = OfferFactory(cooperative=cooperative)
    wave = make_wave()
    response = Response.objects.create(wave=wave, cooperative=cooperative)
    publication = PublicationFactory(series=SeriesFactory())
    edition = EditionFactory(publication=publication)
    person = PersonFactory()
    session = TrainingSessionFactory()
    enrolment = EnrolmentFactory(training=session.training)
    certificate = CertificateFactory(enrolment=enrolment)
    inquiry = Inquiry.objects.create(
        subject="Catering",
        details="Obiad dla 30 osób.",
        place="Łódź",
        timeframe="maj",
        contact_name="Jan Kupujący",
        contact_email="kupujacy@example.org",
    )
    inquiry.recipients.create(cooperative=cooperative)
    photo = CooperativePhoto.objects.create(cooperative=cooperative, image="photos/x.jpg", alt_text="Zdjęcie")
    representation = RepresentationRequest.objects.create(
        user=owner, cooperative=cooperative, role_in_cooperative="prezes"
    )
    change = ChangeRequest.objects.create(
        cooperative=cooperative,
        requested_by=owner,
        proposed={"name": "Nowa"},
        previous={"name": "Stara"},
        base_version=cooperative.version,
    )
    error_report = ErrorReport.objects.create(cooperative=cooperative, message="Zły adres.")
    return {
        "krs": cooperative.krs_number,
        "offer": offer.pk,
        "wave": wave.pk,
        "response": response.pk,
        "publication": publication.slug,
        "series": publication.series.slug,
        "edition": edition.pk,
        "person": person.pk,
        "training": session.training_id,
        "session": session.pk,
        "enrolment": enrolment.pk,
        "certificate": certificate.pk,
        "certificate_code": str(certificate.verification_code),
        "inquiry": inquiry.pk,
        "photo": photo.pk,
        "membership": membership.pk,
        "representation": representation.pk,
        "change": change.pk,
        "error_report": error_report.pk,
        "history": cooperative.history.latest().history_id,
    }


def sample_for(objects):
    pk_by_name = {
        "offer-detail": "offer", "manage-offer-detail": "offer", "cooperatives:offer-detail": "offer",
        "selfservice:offer-edit": "offer", "selfservice:offer-delete": "offer",
        "wave-detail": "wave", "response-detail": "response", "monitoring:staff-verify": "response",
        "author-detail": "person", "publications:download": "edition",
        "selfservice:inquiry-detail": "inquiry", "selfservice:photo-delete": "photo",
        "selfservice:member-remove": "membership", "selfservice:representation-review": "representation",
        "selfservice:representation-document": "representation", "selfservice:change-review": "change",
        "selfservice:error-resolve": "error_report",
    }  # fmt: skip
    by_parameter = {
        "krs": objects["krs"], "krs_number": objects["krs"], "wave_pk": objects["wave"],
        "enrolment_pk": objects["enrolment"], "session_pk": objects["session"],
        "certificate_pk": objects["certificate"], "history_id": objects["history"], "format": "json",
        "signature": "podpis-nieprawidlowy", "token": "token-nieprawidlowy", "key": "klucz-nieprawidlowy",
        "uidb36": "1", "app_label": "cooperatives", "object_id": "1", "id": "1", "content_type_id": "1", "url": "x",
    }  # fmt: skip

    def sample(route: Route, name: str, regex_or_converter: str) -> str:
        if name == "pk":
            if route.name in pk_by_name:
                return str(objects[pk_by_name[route.name]])
            if (route.name or "").startswith(("monitoring:", "wave-")):
                return str(objects["wave"])
            if (route.name or "").startswith(("trainings:", "training-")):
                return str(objects["training"])
            return "1"
        if name == "slug":
            if route.name == "series-detail":
                return objects["series"]
            if route.name == "offercategory-detail":
                return "catering"
            return objects["publication"]
        if name == "code":
            return objects["certificate_code"] if route.name == "trainings:certificate-verify" else "1061011"
        if regex_or_converter == "drf_format_suffix":
            return ".json"
        if name in by_parameter:
            return str(by_parameter[name])
        if name in ("fmt", "report", "model"):
            # A regex alternation ("csv|xlsx") or a free converter: the first value the view accepts.
            if "|" in regex_or_converter:
                return regex_or_converter.split("|")[0]
            return {"fmt": "bib"}.get(name, "csv")
        raise AssertionError(f"no sample value for {name!r} in {route.pattern}")

    return sample


def refused(client, response, hops: int = 3) -> bool:
    """401/403/404, or redirects that end at a log-in page (the admin's log-out sends to the admin index first)."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302 and hops:
        location = response["Location"]
        if location.startswith((reverse("account_login"), reverse("admin:login"))):
            return True
        return refused(client, client.get(location), hops - 1)
    return False


def test_routes_not_marked_public_refuse_anonymous_visitors(client, registry):
    client.raise_request_exception = False  # a 500 is collected as a failure with the others
    documented = documented_routes()
    sample = sample_for(registry)
    failures, checked = [], 0
    for route in all_routes():
        path = build_path(route, sample)
        with translation.override(settings.LANGUAGE_CODE):
            resolved = resolve(path)
        assert resolved.func == route.callback, f"{path} does not resolve to {route.pattern}"
        anonymous = documented[ADMIN_FAMILY] if is_admin(route) else documented[route.documented_as]
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
        elif anonymous == "no" and not refused(client, response):
            failures.append(f"{path} ({route.name}) is not public but answered {response.status_code}")
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len(all_routes())
