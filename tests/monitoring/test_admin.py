"""Admin: a questionnaire is read-only once its wave opens; copy and status actions go through the services."""

import pytest
from django.urls import reverse

from monitoring.models import Question, Wave

from .conftest import make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.is_staff = True
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_questions_of_an_open_wave_cannot_be_changed_in_the_admin(admin_client, wave):
    question = wave.questions.get(code="employment_total")
    url = reverse("admin:monitoring_question_change", args=[question.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # shown read-only
    admin_client.post(url, {"text": "Zmienione"})
    question.refresh_from_db()
    assert question.text != "Zmienione"
    delete = admin_client.post(reverse("admin:monitoring_question_delete", args=[question.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Question.objects.filter(pk=question.pk).exists()


def test_questions_of_a_draft_wave_can_be_changed(admin_client):
    draft = make_wave(status=Wave.Status.DRAFT)
    question = draft.questions.get(code="employment_total")
    page = admin_client.get(reverse("admin:monitoring_question_change", args=[question.pk]))
    assert 'name="text"' in page.content.decode()


def test_copy_action_creates_a_draft_wave(admin_client, wave):
    response = admin_client.post(
        reverse("admin:monitoring_wave_changelist"),
        {"action": "copy_as_new_wave", "_selected_action": [wave.pk]},
    )
    assert response.status_code == 302
    copy = Wave.objects.get(reference_year=wave.reference_year + 1)
    assert copy.status == Wave.Status.DRAFT and copy.questions.count() == wave.questions.count()


def test_publish_action_changes_the_status(admin_client, wave):
    admin_client.post(
        reverse("admin:monitoring_wave_changelist"), {"action": "publish_waves", "_selected_action": [wave.pk]}
    )
    wave.refresh_from_db()
    assert wave.status == Wave.Status.PUBLISHED


def _add_rule(admin_client, wave, **fields):
    """Submits the wave's admin form as rendered, with one more consistency rule in its inline."""
    from tests.core.browser_forms import post_form

    url = reverse("admin:monitoring_wave_change", args=[wave.pk])
    form = post_form(admin_client.get(url).content.decode(), containing="rules-TOTAL_FORMS")
    data = form.submission()
    index = int(data["rules-TOTAL_FORMS"][0])
    data["rules-TOTAL_FORMS"] = [str(index + 1)]
    data.update({f"rules-{index}-{name}": [value] for name, value in fields.items()})
    data[f"rules-{index}-wave"] = [str(wave.pk)]
    return admin_client.post(url, data)


def test_rules_can_be_added_to_an_open_wave_and_name_its_numeric_questions(admin_client, wave):
    rule = {"order": "5", "kind": "not_above", "whole": "employment_total", "share_question": "", "tolerance": "0"}
    refused = _add_rule(admin_client, wave, **rule, parts="employment_new_hires activity_status")
    assert refused.status_code == 200
    assert "To nie są kody pytań liczbowych tej fali: activity_status." in refused.content.decode()
    assert wave.rules.count() == 3
    added = _add_rule(admin_client, wave, **rule, parts="employment_new_hires")
    assert added.status_code == 302
    assert [str(rule) for rule in wave.rules.all()][-1] == "employment_new_hires ≤ employment_total"
