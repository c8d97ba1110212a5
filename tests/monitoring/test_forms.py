"""Validation of each question type, with the Polish message the respondent sees."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from monitoring.forms import QuestionnaireForm, clean_answers
from monitoring.selectors import questionnaire

from .conftest import VALID_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(wave):
    return questionnaire(wave)


def _clean(questions, **overrides):
    raw = {**VALID_ANSWERS, **overrides}
    return clean_answers(questions, raw, complete=True)


def test_valid_answers_are_converted_to_python_values(questions):
    values, errors = _clean(questions)
    assert errors == {}
    assert values["members_at_risk"] == 5
    assert values["employment_fte"] == Decimal("5.5")
    assert values["revenue_grants"] == Decimal("30000.50")
    assert values["has_partners"] is False
    assert values["activity_status"] == "active"


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("employment_total", "6.5", "Podaj liczbę całkowitą"),
        ("employment_total", "sześć", "Podaj liczbę całkowitą"),
        ("employment_total", "-1", "co najmniej 0"),
        ("employment_total", "5001", "najwyżej 5000"),
        ("revenue_market", "12 tys.", "Podaj kwotę w złotych"),
        ("revenue_market", "-5", "co najmniej 0"),
        ("revenue_market", "10,555", "najwyżej 2 miejsca po przecinku"),
        ("public_revenue_share", "101", "najwyżej 100"),
        ("public_revenue_share", "abc", "Podaj odsetek"),
        ("has_partners", "może", "Wybierz „tak” albo „nie”"),
        ("activity_status", "sleeping", "Wybierz jedną z podanych odpowiedzi"),
        ("support_instruments", ["loan", "lottery"], "Nie ma odpowiedzi „lottery”"),
        ("inactivity_reason", "x" * 256, "najwyżej 255 znaków"),
        ("comments", "x" * 5001, "najwyżej 5000 znaków"),
        ("members_at_risk", "", "To pytanie jest obowiązkowe"),
    ],
)
def test_each_type_refuses_bad_values_in_polish(questions, code, value, message):
    overrides = {code: value}
    if code == "inactivity_reason":
        overrides["activity_status"] = "inactive"
    _values, errors = _clean(questions, **overrides)
    assert code in errors
    assert any(message in text for text in errors[code]), errors[code]


def test_valid_values_of_every_type_pass(questions):
    _values, errors = _clean(
        questions,
        public_revenue_share="35,5",
        support_instruments=["loan", "pfron"],
        main_client="companies",
        comments="Wszystko w porządku.",
        equity="-1500",
        employment_total="0",
        employment_at_risk="0",  # of 0 employed (4 of them would break the rule employment_at_risk <= total)
    )
    assert errors == {}


def test_hidden_conditional_question_is_neither_required_nor_validated(questions):
    values, errors = _clean(questions, has_partners="nie", cooperation_partners=["nonsense"])
    assert "cooperation_partners" not in errors
    assert values["cooperation_partners"] is None


def test_shown_conditional_question_is_required_and_validated(questions):
    _values, errors = _clean(questions, has_partners="tak")
    assert errors["cooperation_partners"] == ["To pytanie jest obowiązkowe."]
    _values, errors = _clean(questions, has_partners="tak", cooperation_partners=["owes", "mars"])
    assert any("mars" in message for message in errors["cooperation_partners"])


def test_draft_does_not_require_answers(questions):
    values, errors = clean_answers(questions, {"employment_total": "3"}, complete=False)
    assert errors == {}
    assert values["employment_total"] == 3


def test_form_reports_errors_per_field_and_ignores_hidden_questions(questions):
    data = QueryDict(mutable=True)
    data.update({**VALID_ANSWERS, "employment_total": "dużo", "cooperation_partners": "nonsense", "submit": "1"})
    form = QuestionnaireForm(data, questions=questions)
    assert not form.is_valid()
    assert set(form.errors) == {"employment_total"}
    assert "Podaj liczbę całkowitą" in form.errors["employment_total"][0]
