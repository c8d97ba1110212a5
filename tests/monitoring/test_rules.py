"""Consistency rules between answers (issue 13: "20 employees at risk of exclusion out of 13 employed was accepted"):
declared with the questionnaire, checked in every channel (page, API, import) by the one validator, listed for
staff when stored answers break them, and without effect on the statistics."""

import csv
import io
import random
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from cooperatives.models import Cooperative
from monitoring import rules as consistency
from monitoring import selectors, services, statistics
from monitoring.demo import answer_values as demo_answer_values
from monitoring.demo import generate_demo_monitoring
from monitoring.imports import import_answers
from monitoring.models import Response, Rule, Wave
from monitoring.versions import with_statistics_version
from tests.cooperatives.factories import CooperativeFactory

from .conftest import VALID_ANSWERS, make_wave
from .test_services import save

pytestmark = pytest.mark.django_db

CONTRADICTION = {"employment_total": "13", "employment_at_risk": "20"}
MESSAGE = (
    "Wartość w pytaniu „W tym osoby zagrożone wykluczeniem społecznym” (20) nie może być większa niż wartość w "
    "pytaniu „Liczba pracujących w spółdzielni na koniec roku” (13)."
)


def _fill_url(wave, cooperative):
    return reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": cooperative.krs_number})


def _stored(cooperative):
    response = Response.objects.filter(cooperative=cooperative).first()
    return None if response is None else (response.status, response.version, selectors.answer_values(response))


# --- Declared with the questionnaire --------------------------------------------------------------------------


def test_the_default_questionnaire_declares_its_rules_and_a_copy_keeps_them(wave):
    assert [str(rule) for rule in wave.rules.all()] == [
        "employment_at_risk ≤ employment_total",
        "public_revenue_share ≥ 100 × (revenue_public_contracts) / "
        "(revenue_market + revenue_public_contracts + revenue_grants + revenue_other)",
        "public_revenue_share ≤ 100 × (revenue_public_contracts + revenue_grants + revenue_other) / "
        "(revenue_market + revenue_public_contracts + revenue_grants + revenue_other)",
    ]
    copy = services.wave_copy(
        source=wave, name="Kopia", reference_year=2025, opens_on=wave.opens_on, closes_on=wave.closes_on
    )
    assert [(r.kind, r.parts, r.whole, r.share_question, r.tolerance) for r in copy.rules.all()] == [
        (r.kind, r.parts, r.whole, r.share_question, r.tolerance) for r in wave.rules.all()
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"parts": "employment_at_risk", "whole": "no_such_code"}, "whole", "To nie są kody pytań liczbowych"),
        ({"parts": "activity_status", "whole": "employment_total"}, "parts", "activity_status"),
        ({"parts": "employment_total", "whole": "employment_total"}, "whole", "częścią i całością"),
        ({"parts": "", "whole": "employment_total"}, "parts", "co najmniej jeden kod"),
        ({"kind": "share_at_most", "parts": "revenue_grants", "whole": "revenue_other"}, "share_question", "odsetku"),
        (
            {"kind": "share_at_most", "parts": "revenue_grants", "whole": "revenue_other", "share_question": "equity"},
            "share_question",
            "odsetek (%)",
        ),
        ({"share_question": "public_revenue_share"}, "share_question", "tylko w regułach o odsetku"),
    ],
)
def test_a_rule_names_numeric_questions_of_its_wave(wave, fields, field, message):
    rule = Rule(
        wave=wave, **{"kind": "not_above", "parts": "employment_at_risk", "whole": "employment_total", **fields}
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert any(message in text for text in error.value.message_dict[field]), error.value.message_dict


def test_the_migration_adds_the_default_rules_to_existing_waves(wave):
    from importlib import import_module

    migration = import_module("monitoring.migrations.0005_consistency_rules")
    wave.rules.all().delete()
    empty = Wave.objects.create(name="Bez pytań", reference_year=2020, opens_on=wave.opens_on, closes_on=wave.closes_on)
    migration.add_default_rules(django_apps, None)
    assert [str(rule) for rule in wave.rules.all()] == [str(rule) for rule in make_wave().rules.all()]
    assert not empty.rules.exists()


# --- The validator ----------------------------------------------------------------------------------------------


def _rule(kind, parts, whole, share="", tolerance=0):
    return Rule(kind=kind, parts=parts, whole=whole, share_question=share, tolerance=Decimal(tolerance))


@pytest.mark.parametrize(
    ("rule", "values", "broken"),
    [
        (_rule("not_above", "a", "t"), {"a": 20, "t": 13}, True),
        (_rule("not_above", "a", "t"), {"a": 13, "t": 13}, False),
        (_rule("not_above", "a b", "t"), {"a": 7, "b": 7, "t": 13}, True),
        (_rule("not_above", "a b", "t"), {"a": 7, "t": 13}, False),  # an unanswered part counts as 0
        (_rule("not_above", "a", "t"), {"a": 20}, False),  # a side without any answer: not checked (a draft)
        (_rule("not_above", "a", "t", tolerance=1), {"a": Decimal("13.5"), "t": 13}, False),
        (_rule("sum_equals", "a b", "t"), {"a": 5, "b": 8, "t": 13}, False),
        (_rule("sum_equals", "a b", "t"), {"a": 5, "b": 7, "t": 13}, True),
        (_rule("sum_equals", "a b", "t", tolerance=1), {"a": 5, "b": 7, "t": 13}, False),
        (_rule("share_at_least", "a", "a b", share="p", tolerance=1), {"p": 30, "a": 35, "b": 65}, True),
        (_rule("share_at_least", "a", "a b", share="p", tolerance=1), {"p": 34, "a": 35, "b": 65}, False),
        (_rule("share_at_most", "a", "a b", share="p", tolerance=1), {"p": 37, "a": 35, "b": 65}, True),
        (_rule("share_at_most", "a", "a b", share="p", tolerance=1), {"p": 36, "a": 35, "b": 65}, False),
        (_rule("share_at_most", "a", "a b", share="p"), {"p": 50, "a": 0, "b": 0}, False),  # a share of nothing
        (_rule("share_at_most", "a", "a b", share="p"), {"a": 35, "b": 65}, False),
    ],
)
def test_each_kind_of_rule(rule, values, broken):
    assert bool(consistency.check([rule], [], values)) is broken


def test_messages_name_the_questions_and_their_values(wave):
    questions = selectors.questionnaire(wave)
    violations = consistency.check(
        list(wave.rules.all()), questions, {"employment_at_risk": 20, "employment_total": 13}
    )
    assert [violation.message for violation in violations] == [MESSAGE]
    values = {
        "public_revenue_share": Decimal("90"),
        "revenue_market": Decimal("100000"),
        "revenue_public_contracts": Decimal("50000"),
        "revenue_grants": Decimal("0"),
        "revenue_other": Decimal("0"),
    }
    (violation,) = consistency.check(list(wave.rules.all()), questions, values)
    assert violation.codes == ("public_revenue_share",)
    assert violation.message.startswith(
        "Odsetek w pytaniu „Udział przychodów od instytucji publicznych w przychodach ogółem” (90%) nie zgadza się"
    )
    assert "wynika najwyżej 33,33%" in violation.message and "Dopuszczalna różnica: 1." in violation.message


def test_messages_are_translated(wave):
    with translation.override("en"):
        (violation,) = consistency.check(list(wave.rules.all()), [], {"employment_at_risk": 20, "employment_total": 13})
    assert violation.message == (
        "The answer to “employment_at_risk” (20) cannot be greater than the answer to “employment_total” (13)."
    )


# --- The page ---------------------------------------------------------------------------------------------------


def test_page_refuses_to_submit_contradictory_answers_and_keeps_what_was_saved(client, wave, coop_a, rep_a):
    response, _ = save(wave, coop_a, rep_a)  # a draft
    before = _stored(coop_a)
    client.force_login(rep_a)
    page = client.post(
        _fill_url(wave, coop_a), {**VALID_ANSWERS, **CONTRADICTION, "version": response.version, "submit": "1"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    # next to both fields, tied to their inputs, and in the summary
    for code in ("employment_at_risk", "employment_total"):
        start = html.index(f'id="id_{code}_errors"')
        assert MESSAGE in html[start : html.index("</ul>", start)]
        assert f'aria-describedby="unit-{code} id_{code}_errors"' in html
    assert 'value="20"' in html and 'value="13"' in html  # what was typed is shown again
    assert _stored(coop_a) == before


def test_page_saves_a_contradictory_draft_and_says_what_to_correct(client, wave, coop_a, rep_a):
    client.force_login(rep_a)
    url = _fill_url(wave, coop_a)
    page = client.post(url, {**VALID_ANSWERS, **CONTRADICTION, "version": 0, "save": "1"}, follow=True)
    status, _version, answers = _stored(coop_a)
    assert status == Response.Status.DRAFT
    assert (answers["employment_at_risk"], answers["employment_total"]) == (20, 13)
    html = page.content.decode()
    assert "Zapisano szkic ankiety, ale część odpowiedzi jest ze sobą sprzeczna." in html
    start = html.index('id="id_employment_at_risk_warnings"')
    assert MESSAGE in html[start : html.index("</ul>", start)]
    assert "Odpowiedzi są ze sobą sprzeczne" in html


def test_page_submits_consistent_answers(client, wave, coop_a, rep_a):
    client.force_login(rep_a)
    client.post(
        _fill_url(wave, coop_a),
        {**VALID_ANSWERS, "employment_total": "13", "employment_at_risk": "13", "version": 0, "submit": "1"},
    )
    assert _stored(coop_a)[0] == Response.Status.SUBMITTED


# --- The API ----------------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_api_refuses_to_submit_contradictory_answers_with_field_messages(api, wave, coop_a, rep_a):
    response, _ = save(wave, coop_a, rep_a)
    before = _stored(coop_a)
    api.force_authenticate(rep_a)
    reply = api.patch(
        reverse("response-detail", kwargs={"pk": response.pk}),
        {"answers": {"employment_total": 13, "employment_at_risk": 20}, "submit": True, "version": response.version},
        format="json",
    )
    assert reply.status_code == 400
    assert reply.json() == {"answers": {"employment_at_risk": [MESSAGE], "employment_total": [MESSAGE]}}
    assert _stored(coop_a) == before


def test_api_saves_a_contradictory_draft_and_reports_the_contradictions(api, wave, coop_a, rep_a):
    api.force_authenticate(rep_a)
    reply = api.post(
        reverse("response-list"),
        {
            "wave": wave.pk,
            "cooperative": coop_a.krs_number,
            "answers": {"employment_total": 13, "employment_at_risk": 20},
        },
        format="json",
    )
    assert reply.status_code == 201
    assert reply.json()["status"] == "draft"
    assert reply.json()["contradictions"] == {"employment_at_risk": [MESSAGE], "employment_total": [MESSAGE]}
    consistent = api.patch(
        reverse("response-detail", kwargs={"pk": reply.json()["id"]}),
        {"answers": {"employment_at_risk": 2}, "version": reply.json()["version"]},
        format="json",
    )
    assert consistent.status_code == 200 and consistent.json()["contradictions"] == {}


# --- The import -------------------------------------------------------------------------------------------------


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_import_with_a_contradictory_row_commits_nothing_and_names_row_cooperative_and_rule(wave, staff):
    first = CooperativeFactory(name="Spółdzielnia Pierwsza")
    second = CooperativeFactory(name="Spółdzielnia Druga")
    data = _csv(
        [
            {"krs": first.krs_number, **VALID_ANSWERS},
            {"krs": second.krs_number, **VALID_ANSWERS, **CONTRADICTION},
        ]
    )
    result = import_answers(wave=wave, data=data, filename="fala.csv", user=staff)
    assert not result.committed
    assert [(e.row, e.cooperative, e.column, e.message) for e in result.errors] == [
        (3, f"Spółdzielnia Druga (KRS {second.krs_number})", "employment_at_risk ≤ employment_total", MESSAGE)
    ]
    assert not Response.objects.exists()


def test_import_page_shows_the_contradiction(client, wave, staff):
    cooperative = CooperativeFactory(name="Spółdzielnia Druga")
    client.force_login(staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("fala.csv", _csv([{"krs": cooperative.krs_number, **VALID_ANSWERS, **CONTRADICTION}]))
    with TestCase.captureOnCommitCallbacks(execute=True):  # the import task runs (eagerly)
        response = client.post(reverse("monitoring:import", kwargs={"pk": wave.pk}), {"file": upload})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "1 błąd – nic nie zapisano" in html
    assert f"Spółdzielnia Druga (KRS {cooperative.krs_number})" in html
    assert "employment_at_risk ≤ employment_total" in html and MESSAGE in html
    assert not Response.objects.exists()


# --- Staff report of stored answers that break rules ----------------------------------------------------------


def _later_rule(wave):
    """A rule added after answers were stored (allowed in an open wave: it changes no answer)."""
    return services.rule_create(wave=wave, kind="not_above", parts=["employment_new_hires"], whole=["employment_total"])


def test_staff_report_lists_responses_breaking_a_rule_added_later(client, wave, staff, django_assert_num_queries):
    cooperatives = [CooperativeFactory(name=f"Spółdzielnia {letter}") for letter in "CAB"]
    for index, cooperative in enumerate(cooperatives):
        # new hires during the year may have left by its end, but let us say the ministry wants this rule
        save(
            wave,
            cooperative,
            staff,
            submit=index != 1,
            as_staff=True,
            employment_total="2",
            employment_new_hires=str(index + 2),
        )
    _later_rule(wave)
    rules = list(wave.rules.all())
    with django_assert_num_queries(3):  # questions, answers, offending responses with cooperatives
        broken = selectors.responses_breaking_rules(wave, rules)
    assert [(item.response.cooperative.name, len(item.violations)) for item in broken] == [
        ("Spółdzielnia A", 1),
        ("Spółdzielnia B", 1),
    ]
    client.force_login(staff)
    url = reverse("monitoring:staff-contradictions", kwargs={"pk": wave.pk})
    _queries(client, url)  # the first request of a session writes it
    few = len(_queries(client, url))
    for index in range(10):
        cooperative = CooperativeFactory(name=f"Spółdzielnia Z{index}")
        save(wave, cooperative, staff, as_staff=True, employment_total="1", employment_new_hires="3")
    with django_assert_num_queries(few):  # does not grow with the number of offending responses
        page = client.get(url)
    html = page.content.decode()
    assert "Spółdzielnia A" in html and "Spółdzielnia B" in html and "Spółdzielnia C" not in html
    assert "Wartość w pytaniu „Osoby przyjęte do pracy w ciągu roku” (4) nie może być większa" in html
    assert "employment_new_hires ≤ employment_total" in html  # the rules are listed


def test_verification_page_shows_what_a_response_contradicts(client, wave, staff):
    response, _ = save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, employment_total="2")
    _later_rule(wave)
    client.force_login(staff)
    html = client.get(reverse("monitoring:staff-verify", kwargs={"pk": response.pk})).content.decode()
    assert "Odpowiedzi są ze sobą sprzeczne" not in html  # 1 new hire of 2 employed
    save(wave, CooperativeFactory(), staff, as_staff=True, employment_total="2", employment_new_hires="5")
    other = Response.objects.exclude(pk=response.pk).get()
    html = client.get(reverse("monitoring:staff-verify", kwargs={"pk": other.pk})).content.decode()
    assert "Wartość w pytaniu „Osoby przyjęte do pracy w ciągu roku” (5) nie może być większa" in html


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured.captured_queries


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("outsider", 403), ("rep_a", 403), ("staff", 200)])
def test_staff_report_is_for_staff_only(client, request, wave, who, expected):
    url = reverse("monitoring:staff-contradictions", kwargs={"pk": wave.pk})
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_staff_wave_page_lists_the_rules_and_links_the_report(client, wave, staff):
    client.force_login(staff)
    html = client.get(reverse("monitoring:staff-wave", kwargs={"pk": wave.pk})).content.decode()
    assert "employment_at_risk ≤ employment_total" in html
    assert reverse("monitoring:staff-contradictions", kwargs={"pk": wave.pk}) in html


# --- Demo data and statistics ---------------------------------------------------------------------------------


def test_demo_answers_never_break_the_default_rules(wave):
    rules = list(wave.rules.all())
    questions = selectors.questionnaire(wave)
    for index in range(3000):
        rng = random.Random(f"rules-{index}")
        status = rng.choice([Cooperative.Status.ACTIVE, Cooperative.Status.INACTIVE, Cooperative.Status.LIQUIDATION])
        cooperative = Cooperative(status=status, employees_count=rng.choice([None, 0, 1, 3, 12, 40]))
        values = demo_answer_values(cooperative, rng, year_index=rng.randint(0, 9))
        assert consistency.check(rules, questions, values) == [], values


def test_seeded_demo_waves_have_no_response_breaking_their_rules():
    for _index in range(40):
        CooperativeFactory()
    assert generate_demo_monitoring() > 0
    for wave in Wave.objects.all():
        assert wave.rules.count() == 3
        assert selectors.responses_breaking_rules(wave, list(wave.rules.all())) == []


def test_rules_do_not_change_the_statistics(wave, staff):
    for total in (3, 5, 8):
        save(
            wave,
            CooperativeFactory(),
            staff,
            submit=True,
            as_staff=True,
            employment_total=str(total),
            employment_new_hires="4",
        )

    def numbers():
        fresh = with_statistics_version(Wave.objects.filter(pk=wave.pk)).get()
        tables = statistics.build_tables(wave=fresh, breakdown="none", filters={}, confidential_view=True)
        return fresh.statistics_version_number, [
            [(cell.value, cell.contributors) for row in table.rows for cell in row.cells] for table in tables
        ]

    before = numbers()
    _later_rule(wave)  # the response with 3 employed and 4 new hires now breaks a rule: it still counts
    assert numbers() == before
