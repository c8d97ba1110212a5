"""Demo data and the default questionnaire commands."""

import io

import pytest
from django.core.management import call_command

from cooperatives.models import Cooperative
from monitoring.models import Answer, RegistrySnapshot, Response, Wave
from monitoring.statistics import INDICATORS, build_table
from tests.cooperatives.factories import CooperativeFactory

pytestmark = pytest.mark.django_db


def test_seed_monitoring_skips_without_cooperatives():
    out = io.StringIO()
    call_command("seed_monitoring", stdout=out)
    assert "Nothing generated" in out.getvalue() and not Wave.objects.exists()


def _snapshot():
    return sorted(
        Answer.objects.values_list(
            "response__wave__reference_year",
            "response__cooperative__krs_number",
            "question__code",
            "numeric_value",
            "bool_value",
            "text_value",
        )
    )


def test_seed_monitoring_is_deterministic_and_consistent():
    for index in range(12):
        CooperativeFactory(status=Cooperative.Status.LIQUIDATION if index % 5 == 0 else Cooperative.Status.ACTIVE)
    call_command("seed_monitoring", stdout=io.StringIO())
    assert list(Wave.objects.order_by("reference_year").values_list("reference_year", "status")) == [
        (2021, "published"),
        (2022, "published"),
        (2023, "published"),
        (2024, "open"),
    ]
    first = _snapshot()
    assert first and Response.objects.filter(wave__reference_year=2021).count() > 4
    call_command("seed_monitoring", stdout=io.StringIO())  # a second run changes nothing
    assert _snapshot() == first
    # the tables can be built from the generated data
    wave = Wave.objects.get(reference_year=2023)
    table = build_table(
        wave=wave, indicator=INDICATORS["cooperatives"], breakdown="none", filters={}, confidential_view=True
    )
    assert table.total_row.total.contributors == Response.objects.submitted().filter(wave=wave).count()

    Answer.objects.all().delete()
    Response.objects.all().delete()
    Wave.objects.all().delete()
    call_command("seed_monitoring", stdout=io.StringIO())
    assert _snapshot() == first  # same seed, same data


def test_seed_monitoring_takes_registry_snapshots_of_the_closed_demo_waves(client):
    for index in range(6):
        CooperativeFactory(status=Cooperative.Status.LIQUIDATION if index % 3 == 0 else Cooperative.Status.ACTIVE)
    call_command("seed_monitoring", stdout=io.StringIO())
    snapshots = {
        wave.reference_year: wave.registry_snapshot
        for wave in Wave.objects.filter(registry_snapshot__isnull=False).select_related("registry_snapshot")
    }
    assert sorted(snapshots) == [2021, 2022, 2023]  # the published ones; the open 2024 shows today's registry
    assert {(s.registered, s.active, s.liquidation) for s in snapshots.values()} == {(6, 4, 2)}
    # the wave page shows the snapshot, not today's registry
    CooperativeFactory(status=Cooperative.Status.ACTIVE)
    wave = Wave.objects.get(reference_year=2023)
    page = client.get(f"/statystyki/fale/{wave.pk}/")
    registry = page.context["registry"]
    assert (registry["registered"], registry["taken_at"]) == (6, snapshots[2023].taken_at)


def test_seed_monitoring_gives_older_demo_waves_their_snapshots():
    for _index in range(4):
        CooperativeFactory(status=Cooperative.Status.ACTIVE)
    call_command("seed_monitoring", stdout=io.StringIO())
    RegistrySnapshot.objects.all().delete()  # demo waves seeded before the waves had snapshots
    out = io.StringIO()
    call_command("seed_monitoring", stdout=out)
    assert "registry snapshots taken for 3" in out.getvalue()
    assert RegistrySnapshot.objects.count() == 3
    call_command("seed_monitoring", stdout=out)  # idempotent
    assert RegistrySnapshot.objects.count() == 3
