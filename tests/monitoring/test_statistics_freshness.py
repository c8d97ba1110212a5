"""The statistics pages read cached aggregates keyed by each wave's statistics version: every write path that
changes what they count raises the version in its own transaction, so the very next request shows the change.
Query counts are pinned, cold and warm, and do not grow with the number of groups."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from cooperatives.models import CooperativeActivity
from cooperatives.selectors import registry_has_demo_data
from monitoring import services, statistics
from monitoring.admin import ResponseAdmin
from monitoring.imports import import_answers
from monitoring.models import Response, StatisticsVersion, Wave
from monitoring.versions import bump_statistics_version, bumps_deferred
from tests.cooperatives.factories import CooperativeFactory

from .test_imports import csv_bytes, rows_for
from .test_services import save

pytestmark = pytest.mark.django_db


def _version(wave) -> int:
    return StatisticsVersion.objects.filter(wave=wave).values_list("number", flat=True).first() or 0


def _employment_total(client, wave, query="") -> Decimal:
    """The "employment_total" column total of the wave page's employment table (staff see every value)."""
    response = client.get(reverse("monitoring:wave", kwargs={"pk": wave.pk}) + query)
    assert response.status_code == 200
    table = next(table for table in response.context["tables"] if table.indicator.code == "employment")
    index = [code for code, _label in table.columns].index("employment_total")
    return table.total_row.cells[index].value


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def counted(wave, staff):
    """A wave with three submitted responses of 6 employees each, its page already cached."""
    cooperatives = [CooperativeFactory(gmina_id="1061011") for _index in range(3)]
    for cooperative in cooperatives:
        save(wave, cooperative, staff, submit=True, as_staff=True)
    return cooperatives


def test_submitting_a_response_shows_on_the_next_request(staff_client, wave, staff, counted):
    assert _employment_total(staff_client, wave) == 18
    save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, employment_total="10")
    assert _employment_total(staff_client, wave) == 28


def test_a_draft_does_not_count_and_its_submission_does(staff_client, wave, staff, counted):
    cooperative = CooperativeFactory()
    save(wave, cooperative, staff, submit=False, as_staff=True, employment_total="10")
    assert _employment_total(staff_client, wave) == 18
    save(wave, cooperative, staff, submit=True, as_staff=True, employment_total="10")
    assert _employment_total(staff_client, wave) == 28


def test_editing_a_submitted_answer_shows_on_the_next_request(staff_client, wave, staff, counted):
    assert _employment_total(staff_client, wave) == 18
    save(wave, counted[0], staff, submit=True, as_staff=True, employment_total="1")
    assert _employment_total(staff_client, wave) == 13


def test_editing_through_the_questionnaire_page_shows_on_the_next_request(staff_client, wave, counted):
    from monitoring.selectors import answer_values, questionnaire

    assert _employment_total(staff_client, wave) == 18
    response = Response.objects.get(wave=wave, cooperative=counted[0])
    questions = questionnaire(wave)
    values = answer_values(response)
    data = {"version": response.version, "submit": "1"}
    for question in questions:
        value = values.get(question.code)
        if isinstance(value, list):
            data[question.code] = value
        elif isinstance(value, bool):
            data[question.code] = "tak" if value else "nie"
        elif value is not None:
            data[question.code] = str(value).replace(".", ",")
    data["employment_total"] = "2"
    url = reverse("monitoring:fill", kwargs={"wave_pk": wave.pk, "krs": counted[0].krs_number})
    assert staff_client.post(url, data).status_code == 302
    assert _employment_total(staff_client, wave) == 14


def test_sending_a_response_back_for_correction_drops_it_on_the_next_request(staff_client, wave, staff, counted):
    assert _employment_total(staff_client, wave) == 18
    response = Response.objects.get(wave=wave, cooperative=counted[0])
    services.response_verify(
        response=response, user=staff, verification=Response.Verification.NEEDS_CORRECTION, comment="Popraw"
    )
    assert _employment_total(staff_client, wave) == 12


def test_verification_page_bumps_the_version(staff_client, wave, counted):
    response = Response.objects.get(wave=wave, cooperative=counted[0])
    before = _version(wave)
    url = reverse("monitoring:staff-verify", kwargs={"pk": response.pk})
    data = {"verification": Response.Verification.NEEDS_CORRECTION, "comment": "Brak danych"}
    assert staff_client.post(url, data).status_code == 302
    assert _version(wave) > before
    assert _employment_total(staff_client, wave) == 12


def test_an_import_shows_on_the_next_request_and_bumps_once(staff_client, wave, staff, counted):
    assert _employment_total(staff_client, wave) == 18
    before = _version(wave)
    newcomers = [CooperativeFactory() for _index in range(3)]
    rows = rows_for([*counted, *newcomers])
    for row in rows:
        row["employment_total"] = "2"
    result = import_answers(wave=wave, data=csv_bytes(rows), filename="fala.csv", user=staff)
    assert result.committed and result.changed == 6
    assert _version(wave) == before + 1  # one bump for the whole import, at its end
    assert _employment_total(staff_client, wave) == 12


def test_a_change_in_the_admin_shows_on_the_next_request(staff_client, wave, counted):
    assert _employment_total(staff_client, wave) == 18
    response = Response.objects.get(wave=wave, cooperative=counted[0])
    response.status = Response.Status.DRAFT
    response.submitted_at = None
    admin = ResponseAdmin(Response, site)
    admin.save_model(RequestFactory().post("/"), response, form=None, change=True)
    assert _employment_total(staff_client, wave) == 12
    admin.delete_model(RequestFactory().post("/"), Response.objects.get(wave=wave, cooperative=counted[1]))
    assert _employment_total(staff_client, wave) == 6


def test_deleting_a_cooperative_shows_on_the_next_request(staff_client, wave, counted):
    assert _employment_total(staff_client, wave) == 18
    counted[2].delete()  # its responses and answers go with it (CASCADE)
    assert _employment_total(staff_client, wave) == 12


def test_republishing_a_wave_bumps_and_the_index_follows(client, staff, counted, wave):
    services.wave_set_status(wave=wave, status=Wave.Status.CLOSED)
    services.wave_set_status(wave=wave, status=Wave.Status.PUBLISHED)
    index = client.get(reverse("monitoring:index"))
    assert [row["wave"] for row in index.context["trends"][1]["rows"]] == [wave]
    before = _version(wave)
    services.wave_set_status(wave=wave, status=Wave.Status.CLOSED)
    assert _version(wave) == before + 1
    save(wave, counted[0], staff, submit=True, as_staff=True, employment_total="100")
    services.wave_set_status(wave=wave, status=Wave.Status.PUBLISHED)
    trend = client.get(reverse("monitoring:index")).context["trends"][1]
    index = trend["columns"].index("employment_total")
    assert trend["rows"][0]["cells"][index].value == 112


def test_a_rolled_back_write_leaves_the_version(wave, staff, counted):
    before = _version(wave)
    with pytest.raises(RuntimeError), transaction.atomic():
        save(wave, counted[0], staff, submit=True, as_staff=True, employment_total="1")
        assert _version(wave) == before + 1
        raise RuntimeError
    assert _version(wave) == before


def test_saving_the_same_answers_again_keeps_the_cache(wave, staff, counted):
    before = _version(wave)
    _response, changed = save(wave, counted[0], staff, submit=True, as_staff=True)
    assert not changed and _version(wave) == before


def test_deferred_bumps_happen_once_at_the_end(wave):
    bump_statistics_version(wave.pk)
    with bumps_deferred():
        bump_statistics_version(wave.pk)
        bump_statistics_version(wave.pk)
        assert _version(wave) == 1
    assert _version(wave) == 2


def test_a_stale_instance_of_the_wave_cannot_move_the_version_back(wave, staff, counted):
    stale = Wave.objects.get(pk=wave.pk)
    before = _version(wave)
    save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    after = _version(wave)
    assert after > before
    stale.save()  # the admin's form or a test saving an old instance
    assert _version(wave) == after


def test_cached_and_fresh_numbers_agree(wave, staff, counted):
    save(wave, CooperativeFactory(gmina_id="1465011"), staff, submit=True, as_staff=True, employment_fte="1,25")
    questions = statistics.indicator_questions([wave])
    cached = statistics.wave_totals([wave], questions)[wave.pk]
    cache.clear()
    fresh = statistics.wave_totals([wave], questions)[wave.pk]
    by_group = statistics.wave_numbers(wave=wave, breakdown="voivodeship", filters={}, questions=questions)
    assert cached == fresh
    for key, value in fresh.items():
        parts = [numbers.get(key) or 0 for numbers in by_group.values()]
        # the groups partition the wave: sums, counts and cell keys add up; the largest answer is the largest part's
        assert (max(parts) if key[-1] == "t" else sum(parts)) == (value or 0), key


# Query counts. The wave page: the wave with its statistics version, the indicators' questions and choices, the
# registry counts, the submitted responses, the voivodeships of the filter form, and (cold, or with a breakdown or a
# filter, which are not cached) one aggregate query for all four tables, plus the labels of the groups.
ANONYMOUS_WARM = 6
ANONYMOUS_COLD = ANONYMOUS_WARM + 1


def test_wave_page_query_count_warm_and_cold(client, wave, staff, counted, django_assert_num_queries):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.PUBLISHED)
    url = reverse("monitoring:wave", kwargs={"pk": wave.pk})
    registry_has_demo_data()  # the demo banner's flag, cached apart
    with django_assert_num_queries(ANONYMOUS_COLD):
        client.get(url)
    with django_assert_num_queries(ANONYMOUS_WARM):
        client.get(url)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.OPEN)
    for _index in range(5):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.PUBLISHED)
    with django_assert_num_queries(ANONYMOUS_COLD):
        client.get(url)
    with django_assert_num_queries(ANONYMOUS_WARM):
        client.get(url)


PKD_CODES = [("88.10.Z", "2007"), ("56.29.Z", "2007"), ("81.21.Z", "2025"), ("43.39.Z", "2007")]


@pytest.mark.parametrize("breakdown", ["voivodeship", "founder_type", "pkd_section"])
def test_breakdown_query_count_is_constant_in_the_groups(client, wave, staff, breakdown, django_assert_num_queries):
    url = reverse("monitoring:wave", kwargs={"pk": wave.pk}) + f"?breakdown={breakdown}"

    def answered(gmina, founder, pkd):
        cooperative = CooperativeFactory(gmina_id=gmina, founder_type=founder)
        CooperativeActivity.objects.create(cooperative=cooperative, code=pkd[0], version=pkd[1], is_main=True)
        save(wave, cooperative, staff, submit=True, as_staff=True)

    def published_page():
        Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.PUBLISHED)
        with django_assert_num_queries(expected):
            response = client.get(url)
        Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.OPEN)
        return response

    answered("1061011", "natural", PKD_CODES[0])
    registry_has_demo_data()  # the demo banner's flag, cached apart
    # Breakdowns and filters are computed afresh (they follow the registry), one aggregate query for the four
    # tables; the voivodeship breakdown reads its groups' names.
    expected = ANONYMOUS_COLD + (1 if breakdown == "voivodeship" else 0)
    response = published_page()
    assert len(response.context["tables"][1].rows) == 1
    others = zip(("1465011", "3064011", "1261011"), ("legal", "mixed", "natural"), PKD_CODES[1:], strict=True)
    for gmina, founder, pkd in others:
        answered(gmina, founder, pkd)
    response = published_page()
    assert len(response.context["tables"][1].rows) == (3 if breakdown == "founder_type" else 4)


def test_export_and_api_share_the_cached_numbers(client, staff, wave, counted, django_assert_num_queries):
    client.force_login(staff)
    client.get(reverse("monitoring:wave", kwargs={"pk": wave.pk}))
    url = reverse("monitoring:export", kwargs={"pk": wave.pk}) + "?indicator=employment&format=csv"
    body = b"".join(client.get(url).streaming_content).decode()
    assert "18" in body
    save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, employment_total="7")
    body = b"".join(client.get(url).streaming_content).decode()
    assert "25" in body
    api = client.get("/api/v1/statistics/", {"wave": wave.pk, "indicator": "employment"}).json()
    index = [column["code"] for column in api["columns"]].index("employment_total")
    assert Decimal(str(api["total"]["cells"][index]["value"])) == 25
