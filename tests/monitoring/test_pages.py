"""Public statistics pages: tables with captions and header scopes, suppression shown and explained, charts
always next to their data table, the OpenAPI schema generated without warnings."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from monitoring.models import Wave
from tests.cooperatives.factories import CooperativeFactory

from .conftest import make_wave
from .test_services import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_published_waves(staff):
    first = make_wave(reference_year=2022, name="Fala 2022")
    second = make_wave(reference_year=2023, name="Fala 2023")
    lodz = [CooperativeFactory(gmina_id="1061011") for _index in range(4)]
    warsaw = CooperativeFactory(gmina_id="1465011")
    for cooperative in [*lodz, warsaw]:
        save(first, cooperative, staff, submit=True, as_staff=True)
    for cooperative in lodz[:3]:
        save(second, cooperative, staff, submit=True, as_staff=True, employment_total="8")
    for wave in (first, second):
        wave.status = Wave.Status.PUBLISHED
        wave.save()
    return first, second


def test_index_lists_published_waves_and_trends(client, two_published_waves):
    body = client.get(reverse("monitoring:index")).content.decode()
    assert "Fala 2022" in body and "Fala 2023" in body
    assert body.count("<h1>") == 1
    assert "Zmiany w kolejnych falach" in body and "Te same spółdzielnie w dwóch ostatnich falach" in body
    assert "Porównanie obejmuje 3 spółdzielni" in body
    assert body.count("<caption>") >= 9  # registry + 4 trends + 4 panels
    assert 'data-chart-for="trend-employment"' in body and 'id="trend-employment"' in body
    assert "vendor/chart.js/chart.umd.min.js" in body and "js/monitoring-charts.js" in body
    assert "<script>" not in body  # no inline script


def test_wave_page_shows_suppressed_cells_with_an_explanation(client, two_published_waves):
    first, _second = two_published_waves
    response = client.get(reverse("monitoring:wave", kwargs={"pk": first.pk}), {"breakdown": "voivodeship"})
    body = response.content.decode()
    assert "MAZOWIECKIE" in body
    # a hidden sum does not say how many cooperatives it holds
    assert "ukryte: zbyt mało spółdzielni, by pokazać sumę" in body and "&lt;3" not in body
    assert "zaokrąglamy losowo do wielokrotności 3" in body
    assert 'scope="col"' in body and 'scope="row"' in body
    assert "poufne" not in body and "Pobierz tabelę" not in body
    # the voivodeships of the filter in Polish alphabetical order: Ł after L, Ś after S
    names = [name for _code, name in response.context["voivodeships"]]
    assert names.index("ŁÓDZKIE") == names.index("LUBUSKIE") + 1
    assert names.index("ŚLĄSKIE") == names.index("POMORSKIE") + 1 and names[-1] == "ZACHODNIOPOMORSKIE"


def test_staff_see_confidential_values_and_export_links(client, two_published_waves, staff):
    first, _second = two_published_waves
    client.force_login(staff)
    body = client.get(reverse("monitoring:wave", kwargs={"pk": first.pk}), {"breakdown": "voivodeship"}).content
    body = body.decode()
    assert "poufne" in body and "Dane poufne." in body
    assert "Pobierz tabelę" in body and "view=public" in body and "Mikrodane" in body


def test_unknown_breakdown_and_filter_are_reported_not_ignored(client, two_published_waves):
    first, _second = two_published_waves
    response = client.get(reverse("monitoring:wave", kwargs={"pk": first.pk}), {"breakdown": "x", "voivodeship": "99"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nieznany podział" in body and "Nieznany kod województwa" in body


def test_a_closed_wave_shows_the_registry_as_it_was_when_it_closed(client, staff):
    from monitoring import services

    wave = make_wave(reference_year=2023, name="Fala zamknięta")
    save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
    services.wave_set_status(wave=wave, status=Wave.Status.CLOSED)
    snapshot = wave.registry_snapshot
    for _index in range(4):
        CooperativeFactory()  # the registry grows after the wave closed
    services.wave_set_status(wave=wave, status=Wave.Status.PUBLISHED)
    page = client.get(reverse("monitoring:wave", kwargs={"pk": wave.pk}))
    assert page.context["registry"]["registered"] == snapshot.registered
    assert "zamknięcie fali" in page.content.decode()
    assert client.get(reverse("monitoring:index")).context["registry"]["registered"] == snapshot.registered + 4


def test_missing_wave_is_404(client):
    assert client.get(reverse("monitoring:wave", kwargs={"pk": 999})).status_code == 404


def test_openapi_schema_generates_without_warnings(capsys, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "Warning" not in capsys.readouterr().err


def test_index_query_count_does_not_grow_with_waves(
    client, staff, django_assert_max_num_queries, django_assert_num_queries
):
    def published(year):
        wave = make_wave(reference_year=year, name=f"Fala {year}")
        for _index in range(3):
            save(wave, CooperativeFactory(), staff, submit=True, as_staff=True)
        wave.status = Wave.Status.PUBLISHED
        wave.save()

    published(2020)
    published(2021)
    client.get(reverse("monitoring:index"))
    # Cold (the cached aggregates gone): published waves, their questions and choices, one grouped query for
    # every wave's totals, two for the panel, the registry counts, staff's other waves; session and user.
    cache.clear()
    with django_assert_max_num_queries(12) as cold:
        client.get(reverse("monitoring:index"))
    with django_assert_max_num_queries(len(cold.captured_queries) - 3) as warm:
        client.get(reverse("monitoring:index"))
    for year in (2022, 2023, 2024):
        published(year)
    cache.clear()
    with django_assert_num_queries(len(cold.captured_queries)):
        client.get(reverse("monitoring:index"))
    with django_assert_num_queries(len(warm.captured_queries)):
        client.get(reverse("monitoring:index"))
