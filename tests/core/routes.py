"""Every URL pattern of the portal, and a concrete URL for each, for tests that walk all routes."""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from cooperatives.models import ChangeRequest, CooperativePhoto, ErrorReport, Inquiry, RepresentationRequest
from monitoring.models import AnswerImport, Response
from tests.cooperatives.factories import CooperativeFactory, MembershipFactory, OfferFactory
from tests.factories import UserFactory
from tests.monitoring.conftest import make_wave
from tests.publications.factories import EditionFactory, PersonFactory, PublicationFactory, SeriesFactory
from tests.trainings.factories import CertificateFactory, EnrolmentFactory, TrainingSessionFactory


@dataclass(frozen=True)
class Route:
    pattern: str  # as the resolver shows it, without the language prefix, e.g. "panel/oferty/<int:pk>/"
    name: str | None
    callback: object

    @property
    def documented_as(self) -> str:
        return "/" + self.pattern


def all_routes() -> list[Route]:
    """Patterns in the default language (a previous request may have left another one active)."""

    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield Route(prefix + str(entry.pattern), name, entry.callback)

    with translation.override(settings.LANGUAGE_CODE):
        return list(walk(get_resolver().url_patterns))


_CONVERTER = re.compile(r"<(?:(?P<converter>[^:>]+):)?(?P<name>[^>]+)>")


def _regex_groups(pattern: str):
    """(start, end, name, body) of each named group "(?P<name>body)", nested parentheses included."""
    position = 0
    while (start := pattern.find("(?P<", position)) != -1:
        name_end = pattern.index(">", start)
        depth, index = 1, name_end + 1
        while depth:
            if pattern[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[index], 0)
            index += 1
        yield start, index, pattern[start + 4 : name_end], pattern[name_end + 1 : index - 1]
        position = index


def build_path(route: Route, sample) -> str:
    """A concrete path for the route: `sample(route, name, regex_body)` gives each parameter's value."""
    pattern = route.pattern
    pieces, position = [], 0
    for start, end, name, body in _regex_groups(pattern):
        pieces.append(pattern[position:start])
        pieces.append(sample(route, name, body))
        position = end
    pieces.append(pattern[position:])
    pattern = "".join(pieces)
    pattern = _CONVERTER.sub(lambda match: sample(route, match["name"], match["converter"] or "str"), pattern)
    pattern = pattern.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    return "/" + pattern


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
    answer_import = AnswerImport.objects.create(wave=wave, user=owner, filename="odpowiedzi.csv", status="done")
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
        "answer_import": answer_import.pk,
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
        "import_id": objects["answer_import"],
        "signature": "podpis-nieprawidlowy", "token": "token-nieprawidlowy", "key": "klucz-nieprawidlowy",
        "uidb36": "1", "app_label": "cooperatives", "object_id": "1", "id": "1", "content_type_id": "1", "url": "x",
        "path": "photos/przyklad.png",
    }  # fmt: skip

    def sample(route: Route, name: str, regex_or_converter: str) -> str:
        if (route.name or "").startswith("exportjobs:"):
            return "00000000-0000-4000-8000-000000000001"  # a background export nobody asked for
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
        if route.name == "trainings:certificate-download":
            return "00000000-0000-4000-8000-000000000000"  # a token no certificate has
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
