"""API: waves with questionnaires, statistics (suppressed for non-staff), responses (own / all for staff)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import Response, Wave
from tests.cooperatives.factories import CooperativeFactory

from .conftest import VALID_ANSWERS, make_wave
from .test_services import save

pytestmark = pytest.mark.django_db

JSON_ANSWERS = {
    **VALID_ANSWERS,
    "employment_fte": "5.5",
    "revenue_grants": 30000.5,
    "members_at_risk": 5,
    "has_partners": False,
    "has_reintegration_plan": True,
}


@pytest.fixture
def api():
    return APIClient()


def test_waves_list_the_questionnaires_and_hide_drafts_from_the_public(api, wave, staff, django_assert_num_queries):
    make_wave(status=Wave.Status.DRAFT, name="Szkic")
    with django_assert_num_queries(5):  # count, waves, sections, questions, choices
        data = api.get(reverse("wave-list")).json()
    assert [w["name"] for w in data["results"]] == [wave.name]
    questions = [q for section in data["results"][0]["sections"] for q in section["questions"]]
    partners = next(q for q in questions if q["code"] == "cooperation_partners")
    assert partners["condition_question"] == "has_partners" and partners["condition_value"] == "tak"
    assert {"code": "owes", "label": "ośrodek wsparcia ekonomii społecznej (OWES)"} in partners["choices"]
    api.force_authenticate(staff)
    assert api.get(reverse("wave-list")).json()["count"] == 2


def test_waves_query_count_does_not_grow_with_the_number_of_waves(api, django_assert_num_queries):
    for year in range(2020, 2024):
        make_wave(reference_year=year, name=f"Fala {year}")
    with django_assert_num_queries(5):
        assert api.get(reverse("wave-list")).json()["count"] == 4


@pytest.fixture
def published(wave, staff):
    for index in range(4):
        save(
            wave,
            CooperativeFactory(gmina_id="1061011"),
            staff,
            submit=True,
            as_staff=True,
            employment_total=str(index + 1),
        )
    save(wave, CooperativeFactory(gmina_id="1465011"), staff, submit=True, as_staff=True, employment_total="50")
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    return wave


def test_statistics_are_protected_for_the_public_and_exact_for_staff(api, published, staff):
    url = reverse("statistics-list")
    params = {"wave": published.pk, "indicator": "employment", "breakdown": "voivodeship"}
    data = api.get(url, params).json()
    rows = {row["key"]: row for row in data["rows"]}
    mazowieckie = rows["14"]["cells"][0]  # one cooperative: hidden, without a reason that tells its size
    assert (mazowieckie["value"], mazowieckie["suppressed"], mazowieckie["cooperatives"]) == (None, True, None)
    assert "reason" not in mazowieckie
    lodzkie = rows["10"]["cells"][0]  # four cooperatives, 1 + 2 + 3 + 4 employed: published with noise
    assert isinstance(lodzkie["value"], int | float) and lodzkie["value"] != 10 and not lodzkie["suppressed"]
    assert lodzkie["cooperatives"] in (3, 6)
    total = data["total"]["cells"][0]
    assert isinstance(total["value"], int | float) and total["value"] != 60
    assert data["confidential"] is False and "wielokrotności 3" in data["disclosure_control"]
    api.force_authenticate(staff)
    data = api.get(url, params).json()
    mazowieckie = {row["key"]: row for row in data["rows"]}["14"]["cells"][0]
    assert (mazowieckie["value"], mazowieckie["cooperatives"], mazowieckie["confidential"]) == (50, 1, True)
    assert data["total"]["cells"][0]["value"] == 60 and data["confidential"] is True


def test_statistics_parameters_are_validated(api, wave):
    response = api.get(reverse("statistics-list"), {"wave": wave.pk, "indicator": "x", "breakdown": "y"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"indicator", "breakdown", "wave"}  # an unpublished wave is not public


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"wave": "²", "indicator": "members"}, "wave", "Podaj numer fali."),
        ({"wave": "99999999999999999999", "indicator": "members"}, "wave", "Podaj numer fali."),
        ({"wave": "{wave}\x00", "indicator": "members"}, "wave", "NUL"),
        ({"wave": "{wave}", "indicator": "members", "voivodeship": "1\x004"}, "voivodeship", "NUL"),
        ({"wave": "{wave}", "indicator": "members", "voivodeship": "99"}, "voivodeship", "Nieznany kod województwa"),
        ({"wave": "{wave}", "indicator": "members", "founder_type": "x"}, "founder_type", "Nieznany typ"),
        ({"wave": "{wave}"}, "indicator", "Wybierz wskaźnik"),
        ({"indicator": "members"}, "wave", "Podaj numer fali."),
        ({"wave": "999999", "indicator": "members"}, "wave", "Nie ma opublikowanej fali"),
        (
            {
                "wave": "{wave}",
                "indicator": "members",
                "breakdown": "pkd_section",
                "voivodeship": "10",
                "founder_type": "legal",
            },
            "breakdown",
            "jednym filtrem",
        ),
    ],
)
def test_bad_statistics_parameters_are_a_400_with_a_message(api, published, params, field, message):
    params = {key: value.replace("{wave}", str(published.pk)) for key, value in params.items()}
    response = api.get(reverse("statistics-list"), params)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type, so jsonschema can check the responses."""
    if isinstance(node, dict):
        node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    return node


def test_statistics_responses_conform_to_the_openapi_schema(api, published, staff):
    """Generated clients (openapi-python-client) build their models from the schema: it must say an object with
    numbers, which is what the endpoint answers."""
    import jsonschema

    document = _nullable_to_json_schema(api.get(reverse("api-schema"), {"format": "json"}).json())
    schema = document["paths"]["/api/v1/statistics/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["$ref"].endswith("/Statistics")
    validator = jsonschema.Draft202012Validator(
        {**schema["schema"], "components": document["components"]},
    )
    for who in (None, staff):
        api.force_authenticate(who)
        for indicator in ("cooperatives", "employment", "members", "revenue"):
            params = {"wave": published.pk, "indicator": indicator, "breakdown": "voivodeship"}
            data = api.get(reverse("statistics-list"), params).json()
            validator.validate(data)
            assert all(
                cell["value"] is None or isinstance(cell["value"], int | float) for cell in data["total"]["cells"]
            )
    value = document["components"]["schemas"]["Cell"]["properties"]["value"]
    assert [option["type"] for option in value["anyOf"]] == ["number", "null"]


def test_representative_writes_own_response_and_not_others(api, wave, coop_a, coop_b, rep_a):
    url = reverse("response-list")
    assert api.get(url).status_code in (401, 403)
    api.force_authenticate(rep_a)
    created = api.post(
        url,
        {"wave": wave.pk, "cooperative": coop_a.krs_number, "answers": JSON_ANSWERS, "submit": True},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "submitted" and created.json()["answers"]["employment_fte"] == "5.50"
    forbidden = api.post(
        url, {"wave": wave.pk, "cooperative": coop_b.krs_number, "answers": JSON_ANSWERS}, format="json"
    )
    assert forbidden.status_code == 403
    detail = reverse("response-detail", kwargs={"pk": created.json()["id"]})
    bad = api.patch(detail, {"answers": {"employment_total": "dużo", "nope": 1}, "version": 1}, format="json")
    assert bad.status_code == 400 and "nope" in bad.json()["answers"]
    version = created.json()["version"]
    bad = api.patch(detail, {"answers": {"employment_total": "dużo"}, "version": version}, format="json")
    assert "Podaj liczbę całkowitą" in bad.json()["answers"]["employment_total"][0]
    changed = api.patch(detail, {"answers": {"employment_total": 9}, "version": version, "submit": True}, format="json")
    assert changed.status_code == 200 and changed.json()["answers"]["employment_total"] == 9
    stale = api.patch(detail, {"answers": {"employment_total": 10}, "version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == version + 1
    wave.status = Wave.Status.CLOSED
    wave.save()
    closed = api.patch(detail, {"answers": {"employment_total": 11}}, format="json")
    assert closed.status_code == 403


def test_responses_list_own_for_representatives_and_all_for_staff(api, wave, coop_a, coop_b, rep_a, rep_b, staff):
    save(wave, coop_a, rep_a, submit=True)
    save(wave, coop_b, rep_b)
    api.force_authenticate(rep_b)
    data = api.get(reverse("response-list")).json()
    assert [r["cooperative"] for r in data["results"]] == [coop_b.krs_number]
    other = Response.objects.get(cooperative=coop_a)
    assert api.get(reverse("response-detail", kwargs={"pk": other.pk})).status_code == 404
    api.force_authenticate(staff)
    data = api.get(reverse("response-list"), {"wave": wave.pk}).json()
    assert {r["cooperative"] for r in data["results"]} == {coop_a.krs_number, coop_b.krs_number}
    assert data["results"][0]["answers"]["employment_total"] == 6


def test_responses_query_count_does_not_grow_with_page_size(api, wave, staff, django_assert_num_queries):
    for _index in range(2):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, support_instruments=["loan"])
    api.force_authenticate(staff)
    api.get(reverse("response-list"))
    with django_assert_num_queries(4) as few:  # count, responses, answers with questions, chosen choices
        api.get(reverse("response-list"))
    for _index in range(6):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, support_instruments=["loan"])
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get(reverse("response-list")).json()["count"] == 8


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # waves, statistics of a published wave (value of the small cell), responses list, own response detail
        ("anonymous", (200, None, 403, 403)),
        ("rep_b", (200, None, 200, 404)),
        ("rep_a", (200, None, 200, 200)),
        ("staff", (200, 50, 200, 200)),
    ],
)
def test_api_permission_matrix(api, request, published, coop_a, rep_a, who, expected):
    Wave.objects.filter(pk=published.pk).update(status=Wave.Status.OPEN)
    response, _changed = save(Wave.objects.get(pk=published.pk), coop_a, rep_a, submit=True)
    Wave.objects.filter(pk=published.pk).update(status=Wave.Status.PUBLISHED)
    if who != "anonymous":
        api.force_authenticate(request.getfixturevalue(who))
    waves = api.get(reverse("wave-list"))
    stats = api.get(
        reverse("statistics-list"), {"wave": published.pk, "indicator": "employment", "breakdown": "voivodeship"}
    )
    small = {row["key"]: row for row in stats.json()["rows"]}["14"]["cells"][0]["value"]
    listing = api.get(reverse("response-list"))
    detail = api.get(reverse("response-detail", kwargs={"pk": response.pk}))
    assert (waves.status_code, small, listing.status_code, detail.status_code) == expected


# --- Stale edits (core.concurrency, as the manage API and the pages) ----------------------------------------------


@pytest.fixture
def saved(api, wave, coop_a, rep_a):
    """rep_a's response, created through the API; the client is signed in as rep_a."""
    api.force_authenticate(rep_a)
    created = api.post(
        reverse("response-list"),
        {"wave": wave.pk, "cooperative": coop_a.krs_number, "answers": {"members_at_risk": 5}},
        format="json",
    )
    assert created.status_code == 201
    assert created["ETag"] == f'"{created.json()["version"]}"'
    return created.json()


def _answer(response_id, code):
    return Response.objects.get(pk=response_id).answers.get(question__code=code).python_value()


def test_a_patch_without_a_version_is_a_428_and_changes_nothing(api, saved):
    detail = reverse("response-detail", kwargs={"pk": saved["id"]})
    response = api.patch(detail, {"answers": {"members_at_risk": 7}}, format="json")
    assert response.status_code == 428
    assert response.json() == {
        "detail": "Podaj wersję, na której opiera się zmiana: nagłówek If-Match albo pole version."
    }
    assert _answer(saved["id"], "members_at_risk") == 5


def test_two_concurrent_edits_do_not_lose_one(api, saved, rep_a):
    """Both clients read version v; the first edit wins, the second is refused with the current version."""
    detail = reverse("response-detail", kwargs={"pk": saved["id"]})
    version = api.get(detail).json()["version"]
    first = api.patch(detail, {"answers": {"members_at_risk": 7}, "version": version}, format="json")
    assert first.status_code == 200
    assert first["ETag"] == f'"{version + 1}"'
    second = api.patch(detail, {"answers": {"members_other_persons": 3}, "version": version}, format="json")
    assert second.status_code == 409
    assert second.json()["current_version"] == version + 1
    assert second["ETag"] == f'"{version + 1}"'
    assert _answer(saved["id"], "members_at_risk") == 7
    assert not Response.objects.get(pk=saved["id"]).answers.filter(question__code="members_other_persons").exists()


def test_if_match_works_like_the_version_field(api, saved):
    detail = reverse("response-detail", kwargs={"pk": saved["id"]})
    etag = api.get(detail)["ETag"]
    ok = api.patch(detail, {"answers": {"members_at_risk": 8}}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    stale = api.patch(detail, {"answers": {"members_at_risk": 9}}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert _answer(saved["id"], "members_at_risk") == 8
    garbage = api.patch(detail, {"answers": {}}, format="json", HTTP_IF_MATCH='"²"')
    assert garbage.status_code == 400 and "If-Match" in garbage.json()


def test_posting_over_an_existing_response_needs_its_version(api, saved, wave, coop_a):
    body = {"wave": wave.pk, "cooperative": coop_a.krs_number, "answers": {"members_at_risk": 6}}
    conflict = api.post(reverse("response-list"), body, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["current_version"] == saved["version"]
    assert _answer(saved["id"], "members_at_risk") == 5
    response = api.post(reverse("response-list"), {**body, "version": saved["version"]}, format="json")
    assert response.status_code == 200
    assert _answer(saved["id"], "members_at_risk") == 6


def test_the_schema_requires_the_version_on_patch(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/responses/{id}/"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "version" in schema["components"]["schemas"][body]["required"]
    assert {"409", "412", "428"} <= set(patch["responses"])
