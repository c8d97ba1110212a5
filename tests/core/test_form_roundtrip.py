"""Every form that edits data round-trips unchanged: render it for an object with every field filled, submit exactly
what a browser would send, and nothing in the database changes (the profile's "counts_as_of" was rendered as
30.09.2025 in a date input, which a browser shows empty, so each save erased it). Both languages, since formats
follow the language; the admin change page of every registered model too."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from cooperatives.models import (
    ChangeRequest,
    Cooperative,
    CooperativeActivity,
    CoordinatorAssignment,
    ErrorReport,
    FounderKind,
    Inquiry,
    InquiryRecipient,
    Invitation,
    Membership,
    Offer,
    OfferCategory,
    RepresentationRequest,
    TargetGroup,
    TerritorialUnit,
)
from exportjobs.models import ExportJob
from monitoring import services as monitoring_services
from monitoring.models import Question, Response, Wave
from publications.models import Authorship, Edition, Person, Publication, Series, Topic
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import representative, staff_user
from tests.factories import UserFactory
from tests.monitoring.conftest import VALID_ANSWERS, make_wave
from tests.trainings.factories import (
    AttendanceFactory,
    CertificateFactory,
    EnrolmentFactory,
    InstitutionFactory,
    ParticipantFactory,
    TrainingFactory,
    TrainingProgrammeFactory,
    TrainingSessionFactory,
)
from trainings.models import (
    Certificate,
    Enrolment,
    Institution,
    InstitutionType,
    Participant,
    Training,
    TrainingProgramme,
)

from .browser_forms import post_form

pytestmark = pytest.mark.django_db

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
LANGUAGES = ["pl", "en"]
# A moment with seconds and microseconds, as timestamps written by the code have them.
MOMENT = datetime.datetime(2025, 9, 30, 14, 5, 7, 123456, tzinfo=WARSAW)


def _url(name, *args, language="pl", **kwargs):
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs or None)


def snapshot(obj) -> dict:
    """Every editable value of the object, many-to-many included, as stored."""
    key = obj._meta.pk.attname  # not .pk: TokenProxy's pk is its user's
    obj = type(obj)._default_manager.get(**{key: getattr(obj, key)})
    values = {}
    for field in obj._meta.concrete_fields:
        if field.editable and not field.auto_created:
            values[field.name] = getattr(obj, field.attname)
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def round_trip(client, url, *, containing, button=None, expect_redirect=True):
    page = client.get(url)
    assert page.status_code == 200, url
    form = post_form(page.content.decode(), containing=containing)
    response = client.post(form.attrs.get("action") or url, form.submission(button))
    if expect_redirect:
        errors = getattr(response.context.get("form"), "errors", None) if response.context else None
        assert response.status_code == 302, f"{url}: {response.status_code} {errors}"
    return form, response


def full_cooperative(**kwargs) -> Cooperative:
    cooperative = CooperativeFactory(
        short_name="SS Testowa",
        krs_registration_date=datetime.date(2012, 3, 15),
        status=Cooperative.Status.ACTIVE,
        status_date=datetime.date(2012, 3, 16),
        is_social_enterprise=True,
        ps_decision_number="WPS-7/2024",
        ps_voivode_id="10",
        ps_decision_date=datetime.date(2024, 5, 20),
        ps_aim=Cooperative._meta.get_field("ps_aim").choices[-1][0],
        street="ul. Piotrkowska 1",
        latitude=Decimal("51.759445"),
        longitude=Decimal("19.457216"),
        location_precision=Cooperative._meta.get_field("location_precision").choices[-1][0],
        email="kontakt@coop.example",
        phone="+48 42 123 45 67",
        website="https://coop.example/",
        publish_email=True,
        publish_phone=True,
        publish_website=False,
        description="Catering i sprzątanie.\nDziałamy od 2012 roku.",
        members_count=12,
        employees_count=9,
        counts_as_of=datetime.date(2025, 9, 30),
        has_quality_mark=True,
        is_ozrss_member=True,
        last_audit_date=datetime.date(2024, 11, 2),
        verified_at=MOMENT,
        **kwargs,
    )
    cooperative.target_groups.set(TargetGroup.objects.all()[:2])
    cooperative.founder_kinds.set(FounderKind.objects.all()[:1])
    CooperativeActivity.objects.create(cooperative=cooperative, code="56.21.Z", version="2007", is_main=True)
    CooperativeActivity.objects.create(cooperative=cooperative, code="81.30.Z", version="2007", is_main=False)
    return cooperative


def full_offer(cooperative) -> Offer:
    offer = OfferFactory(
        cooperative=cooperative,
        description="Obiady dla szkół.\nDowóz w cenie.",
        service_area=Offer.ServiceArea.POWIATS,
        price_note="od 25,50 zł za porcję",
        cpv_code="55520000-1",
        zakup_prospoleczny_year=2025,
        is_active=True,
    )
    offer.area_powiats.set(TerritorialUnit.objects.powiats().order_by("code")[:2])
    return offer


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_profile_form_round_trips_unchanged(client, language):
    cooperative = full_cooperative()
    client.force_login(representative(cooperative))
    before = snapshot(cooperative)
    activities = list(cooperative.activities.values_list("code", "is_main"))
    url = _url("selfservice:cooperative-edit", cooperative.krs_number, language=language)
    round_trip(client, url, containing="counts_as_of")
    assert snapshot(cooperative) == before
    assert list(cooperative.activities.values_list("code", "is_main")) == activities


@pytest.mark.parametrize("language", LANGUAGES)
def test_change_request_form_round_trips_unchanged(client, language):
    """Submitted unchanged, the identity form proposes nothing: every value came back as it was rendered."""
    cooperative = full_cooperative()
    client.force_login(representative(cooperative))
    url = _url("selfservice:change-request", cooperative.krs_number, language=language)
    page = client.get(url)
    form = post_form(page.content.decode(), containing="ps_decision_date")
    data = form.submission()
    data["justification"] = ["Bez zmian."]
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]  # only "nothing changed"
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_offer_form_round_trips_unchanged(client, language):
    cooperative = full_cooperative()
    offer = full_offer(cooperative)
    client.force_login(representative(cooperative))
    before = snapshot(offer)
    round_trip(client, _url("selfservice:offer-edit", offer.pk, language=language), containing="title")
    assert snapshot(offer) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_questionnaire_round_trips_unchanged(client, language):
    wave = make_wave()
    cooperative = full_cooperative()
    user = representative(cooperative)
    questions = list(wave.questions.all())
    answers = {
        **VALID_ANSWERS,
        "employment_fte": "5,25",
        "revenue_grants": "30000,5",
        "contract_types": ["employment", "civil"],
        "comments": "Pierwszy wiersz.\nDrugi wiersz.",
    }
    values, errors = monitoring_services_clean(questions, answers)
    assert errors == {}
    monitoring_services.response_save(
        wave=wave, cooperative=cooperative, questions=questions, values=values, user=user, submit=False
    )
    response = Response.objects.get()
    before = _answers(response)
    assert before["employment_fte"][0] == Decimal("5.25")
    client.force_login(user)
    url = _url("monitoring:fill", wave_pk=wave.pk, krs=cooperative.krs_number, language=language)
    round_trip(client, url, containing="employment_fte", button="save")
    response.refresh_from_db()
    assert _answers(response) == before


def monitoring_services_clean(questions, answers):
    from monitoring.forms import clean_answers

    choice_codes = {
        question.code: [choice.code for choice in question.choices.all()]
        for question in questions
        if question.type == Question.Type.MULTIPLE_CHOICE
    }
    for code, chosen in list(answers.items()):
        if code in choice_codes:
            answers[code] = [c for c in chosen if c in choice_codes[code]] or choice_codes[code][:2]
    return clean_answers(questions, answers, complete=False)


def _answers(response):
    return {
        answer.question.code: (
            answer.numeric_value,
            answer.bool_value,
            answer.text_value,
            sorted(answer.selected_choices.values_list("code", flat=True)),
        )
        for answer in response.answers.select_related("question")
    }


def test_typed_inputs_render_machine_formats_in_every_language():
    """The root of the profile bug, for every widget: typed inputs get ISO dates and dot decimals."""
    from django import forms

    class Sample(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        hour = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
        amount = forms.DecimalField(widget=forms.NumberInput, localize=True)
        day_as_text = forms.DateField()

    initial = {
        "day": datetime.date(2025, 9, 30),
        "moment": datetime.datetime(2025, 9, 30, 14, 5, tzinfo=WARSAW),
        "hour": datetime.time(9, 30, 15),
        "amount": Decimal("12345.50"),
        "day_as_text": datetime.date(2025, 9, 30),
    }
    for language, text_date in (("pl", "30.09.2025"), ("en", "2025-09-30")):
        with translation.override(language), timezone.override(WARSAW):
            form = Sample(initial=initial)
            assert 'value="2025-09-30"' in str(form["day"])
            assert 'value="2025-09-30T14:05"' in str(form["moment"])
            assert 'value="09:30:15"' in str(form["hour"]) and 'step="any"' in str(form["hour"])
            assert 'value="12345.50"' in str(form["amount"])
            assert f'value="{text_date}"' in str(form["day_as_text"])
            bound = Sample(
                {
                    "day": "2025-09-30",
                    "moment": "2025-09-30T14:05",
                    "hour": "09:30:15",
                    "amount": "12345.50",
                    "day_as_text": text_date,
                }
            )
            assert bound.is_valid(), bound.errors
            assert bound.cleaned_data == initial


# --- The admin: every registered model ------------------------------------------------------------------------


def _admin_objects() -> dict:
    """One object per model registered in the admin, with every field the admin edits filled."""
    cooperative = full_cooperative()
    offer = full_offer(cooperative)
    owner = representative(cooperative)
    user = UserFactory(first_name="Anna", last_name="Nowak", last_login=MOMENT)
    group = Group.objects.create(name="Redakcja testowa")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_")[:3])
    user.groups.add(group)
    moderator = staff_user()
    wave = make_wave()
    question = wave.questions.filter(type=Question.Type.AMOUNT).first()
    question.help_text = "Kwota w złotych."
    question.min_value, question.max_value = Decimal("0.50"), Decimal("99999.75")
    question.save()
    response = Response.objects.create(
        wave=wave,
        cooperative=cooperative,
        status=Response.Status.SUBMITTED,
        submitted_at=MOMENT,
        submitted_by=owner,
        verification=Response._meta.get_field("verification").choices[-1][0],
        verification_comment="Proszę poprawić.\nDziękujemy.",
        verified_by=moderator,
        verified_at=MOMENT + datetime.timedelta(days=1),
    )
    series = Series.objects.create(title="Seria testowa", slug="seria-testowa", description="Opis", planned_volumes=5)
    topic = Topic.objects.create(name="ekonomia społeczna", slug="ekonomia-spoleczna")
    person = Person.objects.create(first_name="Jan", last_name="Kowalski", affiliation="Uniwersytet")
    publication = Publication.objects.create(
        title="Raport",
        subtitle="o spółdzielniach",
        slug="raport",
        series=series,
        volume_number=2,
        year=2014,
        publisher="Wydawnictwo",
        place="Warszawa",
        abstract="Streszczenie.\nDrugi akapit.",
        funding_note="Projekt współfinansowany.",
        status=Publication.Status.PUBLISHED,
    )
    publication.topics.set([topic])
    Authorship.objects.create(publication=publication, person=person, position=1)
    Edition.objects.create(publication=publication, format=Edition.Format.PRINT, isbn="9788300000005")
    programme = TrainingProgrammeFactory(description="Program.\nDwa wiersze.")
    training = TrainingFactory(
        programme=programme,
        description="Opis szkolenia.",
        trainers="Anna Trenerka\nJan Trener",
        target_institution_types=[InstitutionType.SOCIAL_ASSISTANCE, InstitutionType.NGO],
        capacity=25,
        required_attendance_percent=75,
    )
    training.organisers.set([moderator])
    session = TrainingSessionFactory(
        training=training,
        title="Dzień 1",
        starts_at=datetime.datetime(2030, 3, 10, 9, 30, tzinfo=WARSAW),
        ends_at=datetime.datetime(2030, 3, 10, 15, 45, 30, tzinfo=WARSAW),
    )
    institution = InstitutionFactory()
    participant = ParticipantFactory(institution=institution)
    enrolment = EnrolmentFactory(
        training=training,
        participant=participant,
        consent_at=MOMENT,
        confirmed_at=MOMENT + datetime.timedelta(minutes=3),
        waitlisted_at=MOMENT + datetime.timedelta(minutes=1),
        promoted_at=MOMENT + datetime.timedelta(minutes=2),
    )
    AttendanceFactory(enrolment=enrolment, session=session, marked_by=moderator)
    certificate = CertificateFactory(enrolment=enrolment, number="2030/0001", revoked_at=MOMENT)
    inquiry = Inquiry.objects.create(
        subject="Catering",
        details="Obiad.\nKawa.",
        place="Łódź",
        timeframe="maj",
        budget="8000 zł",
        contact_name="Anna",
        organisation="Gmina",
        contact_email="a@gmina.example",
        contact_phone="123",
    )
    InquiryRecipient.objects.create(inquiry=inquiry, cooperative=cooperative, emailed_to="kontakt@coop.example")
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=moderator).update(last_used_at=MOMENT)
    return {
        Group: group,
        EmailAddress: EmailAddress.objects.get(user=owner),
        Authenticator: Authenticator.objects.filter(user=moderator).first(),
        type(user): user,
        TerritorialUnit: TerritorialUnit.objects.get(code="1061011"),
        TargetGroup: TargetGroup.objects.first(),
        FounderKind: FounderKind.objects.first(),
        OfferCategory: OfferCategory.objects.filter(parent__isnull=False).first(),
        Cooperative: cooperative,
        CooperativeActivity: cooperative.activities.first(),
        Offer: offer,
        Membership: Membership.objects.get(user=owner),
        CoordinatorAssignment: CoordinatorAssignment.objects.create(user=moderator, voivodeship_id="10"),
        RepresentationRequest: RepresentationRequest.objects.create(
            user=user,
            cooperative=cooperative,
            role_in_cooperative="prezes",
            message="Proszę.\nDziękuję.",
            reason="OK",
            reviewer=moderator,
            decided_at=MOMENT,
            link_sent_to="prezes@coop.example",
            link_sent_at=MOMENT,
        ),
        ChangeRequest: ChangeRequest.objects.create(
            cooperative=cooperative,
            requested_by=owner,
            proposed={"name": "Nowa"},
            previous={"name": cooperative.name},
            base_version=1,
            justification="KRS",
        ),
        ErrorReport: ErrorReport.objects.create(cooperative=cooperative, message="Błąd.\nTelefon.", resolved_at=MOMENT),
        Inquiry: inquiry,
        Invitation: Invitation.objects.create(
            cooperative=cooperative, email="nowy@coop.example", invited_by=owner, accepted_at=MOMENT
        ),
        ExportJob: ExportJob.objects.create(
            kind="registry",
            title="Rejestr spółdzielni (XLSX)",
            requested_by=owner,
            status=ExportJob.Status.DONE,
            progress=100,
            filename="rejestr.xlsx",
            size=1024,
            finished_at=MOMENT,
        ),
        Wave: wave,
        Question: question,
        Response: response,
        Publication: publication,
        Person: person,
        Series: series,
        Topic: topic,
        TrainingProgramme: programme,
        Training: training,
        Institution: institution,
        Participant: participant,
        Enrolment: enrolment,
        Certificate: certificate,
    }


def test_every_admin_model_has_a_filled_object():
    objects = _admin_objects()
    missing = [model._meta.label for model in admin.site._registry if model not in objects]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_change_pages_round_trip_unchanged(client, language):
    """Every registered model's change page (read-only ones have nothing to submit). One test per language, so the
    objects are built once; the failures of every model are reported together."""
    objects = _admin_objects()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    failures, submitted = {}, []
    for model in admin.site._registry:
        obj = objects[model]
        url = _url(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", obj.pk, language=language)
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        if 'name="_save"' not in html:
            continue
        before, inlines = snapshot(obj), _inline_snapshots(obj)
        response = client.post(url, post_form(html, containing="_save").submission("_save"))
        if response.status_code != 302:
            failures[model._meta.label] = _admin_errors(response)
            continue
        submitted.append(model._meta.label)
        after = snapshot(obj)
        changed = {name: (value, after[name]) for name, value in before.items() if after[name] != value}
        if changed or _inline_snapshots(obj) != inlines:
            failures[model._meta.label] = changed or "an inline changed"
    assert failures == {}
    assert {"cooperatives.Cooperative", "monitoring.Wave", "trainings.Training", "cooperatives.Offer"} <= set(submitted)


def _admin_errors(response):
    if response.status_code != 200:
        return response.status_code
    context = response.context
    errors = [dict(context["adminform"].form.errors)]
    for formset in context.get("inline_admin_formsets", []):
        errors.append([formset.formset.non_form_errors(), [e for e in formset.formset.errors if e]])
    return errors


def _inline_snapshots(obj) -> dict:
    values = {}
    for related in obj._meta.related_objects:
        if related.one_to_many and isinstance(related.field, models.ForeignKey):
            manager = getattr(obj, related.get_accessor_name(), None)
            if manager is not None:
                values[related.name] = [snapshot(child) for child in manager.all().order_by("pk")[:20]]
    return values
