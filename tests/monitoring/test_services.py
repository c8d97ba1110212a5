"""Questionnaire freezing and copying, the response lifecycle, pre-fill and verification."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.concurrency import StaleVersionError
from monitoring import services
from monitoring.forms import clean_answers
from monitoring.models import Answer, Question, Response, Wave
from monitoring.selectors import answer_values, prefill_values, questionnaire

from .conftest import VALID_ANSWERS, make_wave
from .factories import WaveFactory

pytestmark = pytest.mark.django_db


def save(wave, cooperative, user, *, submit=False, as_staff=False, **overrides):
    questions = questionnaire(wave)
    values, errors = clean_answers(questions, {**VALID_ANSWERS, **overrides}, complete=submit)
    assert errors == {}
    return services.response_save(
        wave=wave,
        cooperative=cooperative,
        questions=questions,
        values=values,
        user=user,
        submit=submit,
        as_staff=as_staff,
    )


def test_default_questionnaire_covers_the_standard_indicators(wave):
    codes = set(wave.questions.values_list("code", flat=True))
    assert {
        "activity_status",
        "members_at_risk",
        "employment_total",
        "employment_at_risk",
        "employment_new_hires",
        "employment_fte",
        "contract_types",
        "revenue_market",
        "revenue_grants",
        "equity",
        "main_client",
        "territorial_reach",
        "cooperation_partners",
        "moved_to_open_market",
        "support_instruments",
    } <= codes
    types = set(wave.questions.values_list("type", flat=True))
    assert types == set(Question.Type.values)


def test_load_default_questionnaire_command_is_idempotent(db):
    call_command("load_default_questionnaire", year=2030)
    wave = Wave.objects.get(reference_year=2030)
    count = wave.questions.count()
    call_command("load_default_questionnaire", year=2030)
    assert wave.questions.count() == count > 20


def test_questionnaire_is_frozen_once_the_wave_opens(wave):
    section = wave.sections.first()
    with pytest.raises(services.QuestionnaireFrozen):
        services.question_create(section=section, code="new", text="Nowe?", type="yes_no", order=99)
    with pytest.raises(services.QuestionnaireFrozen):
        services.section_create(wave=wave, title="Nowa", order=99)


def test_copy_starts_a_draft_wave_with_the_same_codes_and_conditions(wave):
    copy = services.wave_copy(
        source=wave,
        name="Kopia",
        reference_year=2025,
        opens_on=datetime.date(2026, 3, 1),
        closes_on=datetime.date(2026, 6, 30),
    )
    assert copy.status == Wave.Status.DRAFT
    assert sorted(copy.questions.values_list("code", flat=True)) == sorted(
        wave.questions.values_list("code", flat=True)
    )
    partners = copy.questions.get(code="cooperation_partners")
    assert partners.condition_question.wave == copy and partners.condition_question.code == "has_partners"
    assert partners.choices.count() == wave.questions.get(code="cooperation_partners").choices.count()
    services.section_create(wave=copy, title="Dodatkowa", order=99)  # the copy is editable


def test_draft_then_submit_then_edit_until_the_wave_closes(wave, coop_a, rep_a):
    response, changed = save(wave, coop_a, rep_a)
    assert changed and response.status == Response.Status.DRAFT and response.submitted_at is None
    response, _ = save(wave, coop_a, rep_a, submit=True)
    assert response.status == Response.Status.SUBMITTED and response.submitted_by == rep_a
    response, changed = save(wave, coop_a, rep_a, submit=True, employment_total="7")
    assert changed and answer_values(response)["employment_total"] == 7

    wave.status = Wave.Status.CLOSED
    wave.save()
    with pytest.raises(services.WaveNotAcceptingAnswers):
        save(wave, coop_a, rep_a, submit=True, employment_total="8")
    # staff may still enter paper answers after closing, but not after publication
    save(wave, coop_a, rep_a, submit=True, as_staff=True, employment_total="8")
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    with pytest.raises(services.WaveNotAcceptingAnswers):
        save(wave, coop_a, rep_a, submit=True, as_staff=True, employment_total="9")
    assert answer_values(Response.objects.get())["employment_total"] == 8


def test_wave_past_its_closing_date_refuses_answers_even_if_still_open(coop_a, rep_a):
    wave = make_wave(
        closes_on=datetime.date.today() - datetime.timedelta(days=1),
        opens_on=datetime.date.today() - datetime.timedelta(days=30),
    )
    with pytest.raises(services.WaveNotAcceptingAnswers):
        save(wave, coop_a, rep_a)


def test_saving_the_same_answers_again_changes_nothing(wave, coop_a, rep_a):
    response, _ = save(wave, coop_a, rep_a, submit=True, support_instruments=["loan", "pfron"])
    version = response.version
    response, changed = save(wave, coop_a, rep_a, submit=True, support_instruments=["loan", "pfron"])
    assert not changed and response.version == version
    response, changed = save(wave, coop_a, rep_a, submit=True, support_instruments=["loan"])
    assert changed and answer_values(response)["support_instruments"] == ["loan"]


def test_emptied_answers_are_deleted_and_hidden_conditionals_dropped(wave, coop_a, rep_a):
    save(wave, coop_a, rep_a, has_partners="tak", cooperation_partners=["owes"])
    assert Answer.objects.filter(question__code="cooperation_partners").exists()
    save(wave, coop_a, rep_a, has_partners="nie", cooperation_partners=["owes"])
    assert not Answer.objects.filter(question__code="cooperation_partners").exists()


def test_stale_version_is_refused(wave, coop_a, rep_a):
    response, _ = save(wave, coop_a, rep_a)
    questions = questionnaire(wave)
    values, _errors = clean_answers(questions, VALID_ANSWERS, complete=False)
    with pytest.raises(StaleVersionError):
        services.response_save(
            wave=wave,
            cooperative=coop_a,
            questions=questions,
            values=values,
            user=rep_a,
            submit=False,
            expected_version=response.version - 1,
        )


def test_prefill_takes_answers_with_the_same_code_from_the_previous_wave(coop_a, rep_a):
    earlier = make_wave(reference_year=2023, name="2023")
    save(earlier, coop_a, rep_a, submit=True, employment_total="11", support_instruments=["loan", "pfron"])
    earlier.status = Wave.Status.PUBLISHED
    earlier.save()
    later = services.wave_copy(
        source=earlier,
        name="2024",
        reference_year=2024,
        opens_on=datetime.date.today(),
        closes_on=datetime.date.today() + datetime.timedelta(days=5),
    )
    later.questions.get(code="support_instruments").choices.filter(code="pfron").delete()
    later.questions.filter(code="equity").update(code="equity_renamed")
    values = prefill_values(wave=later, cooperative=coop_a, questions=questionnaire(later))
    assert values["employment_total"] == 11
    assert values["revenue_grants"] == Decimal("30000.50")
    assert values["support_instruments"] == ["loan"]  # a choice that no longer exists is dropped
    assert "equity_renamed" not in values


def test_verification_needs_correction_returns_the_response_to_the_representative(wave, coop_a, rep_a, staff):
    response, _ = save(wave, coop_a, rep_a, submit=True)
    with pytest.raises(ValidationError):
        services.response_verify(response=response, user=staff, verification="needs_correction", comment=" ")
    services.response_verify(response=response, user=staff, verification="needs_correction", comment="Popraw FTE.")
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert (response.verification, response.verification_comment, response.verified_by) == (
        "needs_correction",
        "Popraw FTE.",
        staff,
    )
    response, _ = save(wave, coop_a, rep_a, submit=True, employment_fte="5")
    assert response.status == Response.Status.SUBMITTED and response.verification == ""
    services.response_verify(response=response, user=staff, verification="verified")
    response.refresh_from_db()
    assert response.verification == "verified" and response.verified_at is not None


def test_a_draft_cannot_be_verified(wave, coop_a, rep_a, staff):
    response, _ = save(wave, coop_a, rep_a)
    with pytest.raises(ValidationError):
        services.response_verify(response=response, user=staff, verification="verified")


def test_wave_without_questions_cannot_open(db):
    wave = WaveFactory()
    with pytest.raises(ValidationError):
        services.wave_set_status(wave=wave, status=Wave.Status.OPEN)


def test_open_wave_before_its_opening_date_refuses_answers(coop_a, rep_a):
    wave = make_wave(
        opens_on=datetime.date.today() + datetime.timedelta(days=1),
        closes_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    with pytest.raises(services.WaveNotAcceptingAnswers):
        save(wave, coop_a, rep_a)
