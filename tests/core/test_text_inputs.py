"""Single-line text refuses line breaks and control characters everywhere; multi-line text refuses control
characters other than line breaks and tabs (core/inputs.py). E-mail subjects are always one line (core/mail.py)."""

import importlib
import json
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers

from cooperatives.models import ChangeRequest, Cooperative, Inquiry, ReviewStatus
from monitoring.forms import question_field
from monitoring.models import Question
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import representative, staff_user
from tests.factories import UserFactory

PROJECT_APPS = ("accounts", "cooperatives", "core", "monitoring", "publications", "trainings")
SINGLE_LINE_REFUSED = ["a\nb", "a\rb", "\x00", "a\x00b", "a\tb", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\u2028b"]
MULTI_LINE_ACCEPTED = ["a\nb", "a\r\nb", "a\tb"]
MULTI_LINE_REFUSED = ["\x00", "a\x00b", "a\x07b", "a\x0bb", "a\x1bb", "a\x7fb"]
CONTROL_MESSAGE = "w jednym wierszu"


def _import_project_modules():
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_classes(base):
    _import_project_modules()
    found = {sub for sub in _subclasses(base) if sub.__module__.split(".")[0] in PROJECT_APPS}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _admin_forms():
    """The forms the admin builds for every registered model (add and change), as a superuser sees them."""
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        yield f"admin:{model._meta.label}", model_admin.get_form(request, obj=None, fields=None)
        for inline in model_admin.get_inline_instances(request):
            yield f"admin:{model._meta.label}:{inline.model._meta.label}", inline.get_formset(request).form


def _form_char_fields():
    cases = []
    for form_class in _project_classes(forms.BaseForm):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.CharField):
                cases.append(pytest.param(field, id=f"{form_class.__module__}.{form_class.__qualname__}.{name}"))
    for question_type in (Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT):
        field = question_field(Question(type=question_type, code="q", text="?"), required=False)
        cases.append(pytest.param(field, id=f"questionnaire.{question_type}"))
    return cases


def _is_multi_line(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


@pytest.mark.django_db
@pytest.mark.parametrize("field", _form_char_fields())
def test_every_form_text_field_refuses_control_characters(field):
    _assert_form_field(field)


def _assert_form_field(field):
    refused = MULTI_LINE_REFUSED if _is_multi_line(field) else SINGLE_LINE_REFUSED
    for value in refused:
        with pytest.raises(ValidationError):
            field.clean(value)
    if type(field) is forms.CharField:
        if _is_multi_line(field):
            for value in MULTI_LINE_ACCEPTED:
                assert field.clean(value) == value.strip()
        else:
            with pytest.raises(ValidationError, match=CONTROL_MESSAGE):
                field.clean("a\nb")


@pytest.mark.django_db
def test_every_admin_form_text_field_refuses_control_characters():
    checked = 0
    for _label, form_class in _admin_forms():
        for field in form_class.base_fields.values():
            if isinstance(field, forms.CharField):
                _assert_form_field(field)
                checked += 1
    assert checked > 50


def _serializer_char_fields():
    cases = []
    for serializer_class in _project_classes(serializers.BaseSerializer):
        if serializer_class.__name__.startswith("_") or serializer_class.__module__.endswith("tests"):
            continue
        try:
            fields = serializer_class().fields
        except (AssertionError, TypeError):  # abstract bases that need a Meta or arguments
            continue
        for name, field in _walk_serializer_fields(fields):
            cases.append(
                pytest.param(field, id=f"{serializer_class.__module__}.{serializer_class.__qualname__}.{name}")
            )
    return cases


def _walk_serializer_fields(fields, prefix=""):
    for name, field in fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.CharField):
            yield prefix + name, field
        child = getattr(field, "child", None)
        if isinstance(child, serializers.CharField):
            yield f"{prefix}{name}[]", child
        if isinstance(field, serializers.Serializer):
            yield from _walk_serializer_fields(field.fields, f"{prefix}{name}.")


@pytest.mark.django_db
@pytest.mark.parametrize("field", _serializer_char_fields())
def test_every_serializer_text_field_refuses_control_characters(field):
    multi_line = field.style.get("base_template") == "textarea.html"
    for value in MULTI_LINE_REFUSED if multi_line else SINGLE_LINE_REFUSED:
        with pytest.raises(serializers.ValidationError):
            field.run_validation(value)
    if multi_line and type(field) is serializers.CharField:
        for value in MULTI_LINE_ACCEPTED:
            assert field.run_validation(value) == value


def test_serializer_walk_finds_the_write_fields():
    names = {param.id for param in _serializer_char_fields()}
    assert "cooperatives.api.manage.ChangeRequestSerializer.name" in names
    assert "cooperatives.api.manage.ManagedOfferSerializer.description" in names


@pytest.mark.parametrize(
    "field",
    [
        pytest.param(field, id=f"{model._meta.label}.{field.name}")
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ],
)
def test_every_model_text_field_refuses_control_characters(field):
    multi_line = isinstance(field, models.TextField)
    for value in MULTI_LINE_REFUSED if multi_line else SINGLE_LINE_REFUSED:
        with pytest.raises(ValidationError):
            field.clean(value, None)
    if multi_line and not field.choices:
        assert field.clean("a\nb", None) == "a\nb"


# --- The reported journeys ------------------------------------------------------------------------------------

INQUIRY = {
    "subject": "Catering\nBcc: ofiara@example.org",
    "details": "80 osób,\nobiad i przerwa kawowa.",
    "place": "Łódź",
    "timeframe": "15 maja",
    "budget": "",
    "contact_name": "Anna Zamawiająca",
    "organisation": "",
    "contact_email": "zamowienia@gmina.example",
    "contact_phone": "",
}


@pytest.mark.django_db
def test_inquiry_subject_with_a_line_break_is_refused_with_a_message(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory(email="a@coop.example", publish_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("selfservice:inquiry"), {**INQUIRY, "krs": [coop.krs_number]})
    assert response.status_code == 200
    assert CONTROL_MESSAGE in " ".join(response.context["form"].errors["subject"])
    assert "details" not in response.context["form"].errors  # line breaks belong in the description
    assert not Inquiry.objects.exists()
    assert mail.outbox == []


def _change_request_post(cooperative, **overrides):
    return {
        "name": cooperative.name,
        "krs_number": cooperative.krs_number,
        "nip": cooperative.nip,
        "regon": cooperative.regon,
        "founder_type": cooperative.founder_type,
        "status": cooperative.status,
        "ps_decision_number": "",
        "ps_decision_date": "",
        "justification": "Zmiana statutu.\nWpis w KRS z 1 marca.",
        **overrides,
    }


@pytest.mark.django_db
def test_change_request_name_with_a_line_break_is_refused_on_the_page(client):
    cooperative = CooperativeFactory()
    client.force_login(representative(cooperative))
    response = client.post(
        reverse("selfservice:change-request", args=[cooperative.krs_number]),
        _change_request_post(cooperative, name="Nowa nazwa\nBcc: ofiara@example.org"),
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in " ".join(response.context["form"].errors["name"])
    assert not ChangeRequest.objects.exists()


@pytest.mark.django_db
def test_change_request_name_with_a_line_break_is_refused_by_the_api(client):
    cooperative = CooperativeFactory()
    client.force_login(representative(cooperative))
    url = f"/api/v1/manage/cooperatives/{cooperative.krs_number}/change-request/"
    response = client.post(
        url, data=json.dumps({"name": "Nowa\nnazwa", "justification": "KRS"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in json.dumps(response.json(), ensure_ascii=False)
    response = client.post(
        url, data=json.dumps({"name": "Nowa nazwa", "justification": "KRS\x00"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("approve", [True, False])
def test_moderating_a_change_request_stored_with_a_line_break_never_fails_and_tells_the_requester(
    client, django_capture_on_commit_callbacks, approve
):
    """Requests and names stored before the validation existed: the decision is a message, never a 500, and
    the requester is still e-mailed (with a one-line subject)."""
    cooperative = CooperativeFactory(name="Spółdzielnia\nSocjalna Stara")
    owner = representative(cooperative)
    change = ChangeRequest.objects.create(
        cooperative=cooperative,
        requested_by=owner,
        proposed={"name": "Nowa\nnazwa"},
        previous={"name": cooperative.name},
        base_version=1,
    )
    client.force_login(staff_user())
    url = reverse("selfservice:change-review", args=[change.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve" if approve else "reject", "reason": "Nie."})
    change.refresh_from_db()
    cooperative.refresh_from_db()
    assert cooperative.name == "Spółdzielnia\nSocjalna Stara"  # a stored line break is never applied
    if approve:
        assert response.status_code == 200
        assert CONTROL_MESSAGE in " ".join(response.context["form"].non_field_errors())
        assert change.status == ReviewStatus.PENDING
        assert mail.outbox == []
        # The moderator can still reject it, and the requester hears about it.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"decision": "reject", "reason": "Nazwa z podziałem wiersza."})
        change.refresh_from_db()
    assert response.status_code == 302
    assert change.status == ReviewStatus.REJECTED
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert mail.outbox[0].subject == "Wniosek o zmianę danych Spółdzielnia Socjalna Stara: odrzucony"


# --- E-mail headers -------------------------------------------------------------------------------------------


def test_email_subjects_are_one_line_whatever_the_text():
    from core.mail import EmailMessage, send_mail

    send_mail("Zapytanie:\r\nBcc: ofiara@example.org\x00 koniec", "treść\nwielu wierszy", None, ["a@example.org"])
    EmailMessage("Przypomnienie:\n„Fala\t2025”\u2028", "treść", to=["b@example.org"]).send()
    assert [message.subject for message in mail.outbox] == [
        "Zapytanie: Bcc: ofiara@example.org koniec",
        "Przypomnienie: „Fala 2025”",
    ]
    assert mail.outbox[0].body == "treść\nwielu wierszy"
    for message in mail.outbox:
        assert "Bcc" not in message.message()  # no header was injected
        assert message.message()["Subject"]


def test_no_module_sends_mail_around_core_mail():
    """Every message goes through core.mail, whose subjects are always one line."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for app in PROJECT_APPS:
        for path in (root / app).rglob("*.py"):
            if path.parts[-2:] == ("core", "mail.py"):
                continue
            text = path.read_text()
            if "django.core.mail import" in text and any(
                name in text for name in ("send_mail", "EmailMessage", "EmailMultiAlternatives", "send_mass_mail")
            ):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_cooperative_model_field_types_match_their_use():
    """Free text that may span lines is a TextField; everything else is one line."""
    assert isinstance(Cooperative._meta.get_field("name"), models.CharField)
    assert isinstance(Cooperative._meta.get_field("description"), models.TextField)
