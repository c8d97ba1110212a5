"""Every model registered in the admin: its change page opens (200) for a superuser and for ministry staff, and the
records meant to be read-only refuse a change by POST (403, nothing saved, nothing added to the history).

A new admin without a builder here fails `test_every_registered_model_has_a_builder`, so no change page goes
untested again.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MINISTRY_STAFF
from cooperatives.models import (
    ChangeRequest,
    CooperativeActivity,
    CoordinatorAssignment,
    ErrorReport,
    FounderKind,
    Inquiry,
    InquiryRecipient,
    Invitation,
    OfferCategory,
    RepresentationRequest,
    TargetGroup,
    TerritorialUnit,
)
from exportjobs.models import ExportJob
from monitoring.models import Question, Response, Wave
from tests.cooperatives.factories import CooperativeFactory, MembershipFactory, OfferFactory
from tests.factories import UserFactory
from tests.monitoring.conftest import make_wave
from tests.publications.factories import PdfEditionFactory, PersonFactory, SeriesFactory, TopicFactory
from tests.trainings.factories import (
    CertificateFactory,
    EnrolmentFactory,
    InstitutionFactory,
    ParticipantFactory,
    TrainingFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db

# The portal's own apps. Accounts, groups, tokens, e-mail addresses and authenticators are superuser-only: whoever
# may change them may make themselves a superuser.
PORTAL_APPS = ("cooperatives", "monitoring", "publications", "trainings")

# Records that are decided elsewhere (the moderation desk, the survey pages, the GUS register) and only shown in
# the admin. A POST to their change page must change nothing.
READ_ONLY = {
    "cooperatives.TerritorialUnit",
    "cooperatives.RepresentationRequest",
    "cooperatives.ChangeRequest",
    "cooperatives.ErrorReport",
    "cooperatives.Inquiry",
    "cooperatives.Invitation",
    "monitoring.Response",
}


@pytest.fixture(autouse=True)
def _file_roots(settings, tmp_path):
    """Uploaded files of these tests go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _pdf() -> ContentFile:
    return ContentFile(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", name="x.pdf")


def _representation_request():
    request = RepresentationRequest(
        user=UserFactory(), cooperative=CooperativeFactory(), role_in_cooperative="prezes zarządu"
    )
    request.document.save("wniosek.pdf", _pdf(), save=False)
    request.save()
    return request


def _inquiry():
    inquiry = Inquiry.objects.create(
        subject="Catering",
        details="Obiady dla 40 osób",
        place="Łódź",
        timeframe="maj",
        contact_name="Jan Nowak",
        contact_email="jan@example.org",
    )
    InquiryRecipient.objects.create(inquiry=inquiry, cooperative=CooperativeFactory(), emailed_to="a@example.org")
    return inquiry


def _question():
    wave = make_wave(status=Wave.Status.DRAFT)
    return Question.objects.filter(wave=wave).first()


def _response():
    return Response.objects.create(wave=make_wave(), cooperative=CooperativeFactory())


def _authenticator():
    user = UserFactory(totp=True)
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


BUILDERS = {
    "auth.Group": lambda: Group.objects.get(name=MINISTRY_STAFF),
    "account.EmailAddress": lambda: EmailAddress.objects.create(
        user=(user := UserFactory()), email=user.email, verified=True, primary=True
    ),
    "mfa.Authenticator": _authenticator,
    "accounts.User": lambda: MembershipFactory(user=UserFactory(), cooperative=CooperativeFactory()).user,
    "cooperatives.TerritorialUnit": lambda: TerritorialUnit.objects.get(code="1061011"),
    "cooperatives.TargetGroup": lambda: TargetGroup.objects.first(),
    "cooperatives.FounderKind": lambda: FounderKind.objects.first(),
    "cooperatives.OfferCategory": lambda: OfferCategory.objects.get(slug="catering"),
    "cooperatives.Cooperative": lambda: OfferFactory().cooperative,
    "cooperatives.CooperativeActivity": lambda: CooperativeActivity.objects.create(
        cooperative=CooperativeFactory(), code="56.21.Z", version="2007", is_main=True
    ),
    "cooperatives.Offer": OfferFactory,
    "cooperatives.Membership": lambda: MembershipFactory(user=UserFactory()),
    "cooperatives.CoordinatorAssignment": lambda: CoordinatorAssignment.objects.create(
        user=UserFactory(), voivodeship_id="10"
    ),
    "cooperatives.RepresentationRequest": _representation_request,
    "cooperatives.ChangeRequest": lambda: ChangeRequest.objects.create(
        cooperative=(cooperative := CooperativeFactory()),
        requested_by=UserFactory(),
        proposed={"name": "Nowa nazwa"},
        previous={"name": cooperative.name},
        base_version=cooperative.version,
    ),
    "cooperatives.ErrorReport": lambda: ErrorReport.objects.create(
        cooperative=CooperativeFactory(), message="Zły telefon"
    ),
    "cooperatives.Inquiry": _inquiry,
    "cooperatives.Invitation": lambda: Invitation.objects.create(
        cooperative=CooperativeFactory(), email="nowy@example.org"
    ),
    "exportjobs.ExportJob": lambda: ExportJob.objects.create(
        kind="registry", title="Rejestr spółdzielni (XLSX)", requested_by=UserFactory()
    ),
    "monitoring.Wave": lambda: make_wave(status=Wave.Status.DRAFT),
    "monitoring.Question": _question,
    "monitoring.Response": _response,
    "publications.Publication": lambda: PdfEditionFactory().publication,
    "publications.Person": PersonFactory,
    "publications.Series": SeriesFactory,
    "publications.Topic": TopicFactory,
    "trainings.TrainingProgramme": TrainingProgrammeFactory,
    "trainings.Training": TrainingFactory,
    "trainings.Institution": InstitutionFactory,
    "trainings.Participant": ParticipantFactory,
    "trainings.Enrolment": EnrolmentFactory,
    "trainings.Certificate": CertificateFactory,
}

REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def ministry_staff():
    """Ministry staff as deployed: admin access, the ministry group and the model permissions of the portal's apps
    (docs/permissions.md: the admin checks per-model Django permissions)."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=PORTAL_APPS))
    return user


def test_every_registered_model_has_a_builder():
    assert sorted(BUILDERS) == REGISTERED


@pytest.mark.parametrize("label", REGISTERED)
def test_change_page_opens_for_a_superuser(client, territory, label):
    obj = BUILDERS[label]()
    client.force_login(superuser())
    response = client.get(change_url(obj))
    assert response.status_code == 200
    assert response.context["original"].pk == obj.pk


@pytest.mark.parametrize("label", REGISTERED)
def test_change_page_opens_for_ministry_staff(client, territory, label):
    obj = BUILDERS[label]()
    client.force_login(ministry_staff())
    response = client.get(change_url(obj))
    if obj._meta.app_label in PORTAL_APPS:
        assert response.status_code == 200
        assert response.context["original"].pk == obj.pk
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("label", sorted(READ_ONLY))
@pytest.mark.parametrize("make_user", [superuser, ministry_staff], ids=["superuser", "ministry"])
def test_read_only_records_refuse_a_change(client, territory, label, make_user):
    obj = BUILDERS[label]()
    client.force_login(make_user())
    page = client.get(change_url(obj))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="_save"' not in page.content
    before = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    data = {field.name: "zmienione" for field in obj._meta.concrete_fields if not field.primary_key}
    response = client.post(change_url(obj), data)
    assert response.status_code == 403
    obj.refresh_from_db()
    assert {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields} == before
    assert not LogEntry.objects.filter(object_id=str(obj.pk), action_flag=2).exists()
    # The admin's history of the record stays readable.
    history = client.get(change_url(obj).replace("/change/", "/history/"))
    assert history.status_code == 200


def test_representation_request_page_links_the_document_through_the_checked_view(client, territory):
    request = _representation_request()
    client.force_login(superuser())
    response = client.get(change_url(request))
    assert response.status_code == 200
    document_url = reverse("selfservice:representation-document", args=[request.pk])
    assert document_url.encode() in response.content
    # The private storage's file name is never shown as a link target.
    assert b"/media/representation/" not in response.content


def test_an_issued_certificate_keeps_its_number_and_code(client, territory):
    certificate = CertificateFactory()
    client.force_login(superuser())
    form = client.get(change_url(certificate)).context["adminform"].form
    assert set(form.fields) == {"revoked_at"}
    now = timezone.localtime()
    response = client.post(
        change_url(certificate),
        {
            "number": "SZK/FAŁSZ/1",
            "revoked_at_0": now.date().isoformat(),
            "revoked_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    number = certificate.number
    certificate.refresh_from_db()
    assert certificate.number == number
    assert certificate.revoked_at is not None
    assert abs(certificate.revoked_at - now) < datetime.timedelta(seconds=2)
