"""Statistics are checked against values computed here, independently, from the fixture answers, for every
breakdown and indicator; then the cell-key protection of what the public sees (tests/monitoring/
test_disclosure_attack.py attacks it across every table)."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cooperatives.models import CooperativeActivity
from monitoring import disclosure, pkd, statistics
from monitoring.models import Response, Wave
from monitoring.statistics import INDICATORS, build_table
from tests.cooperatives.factories import CooperativeFactory

from .conftest import VALID_ANSWERS, make_wave
from .test_services import save

pytestmark = pytest.mark.django_db

GMINAS = {"10": "1061011", "14": "1465011", "30": "3064011", "12": "1261011"}
# (voivodeship, founder type, main PKD (code, version) or None, overrides of the answers)
SPEC = [
    ("10", "natural", ("88.10.Z", "2007"), {"employment_total": "6", "revenue_market": "100000"}),
    ("10", "natural", ("56.29.Z", "2007"), {"employment_total": "3", "employment_fte": "2,5"}),
    ("10", "legal", ("81.21.Z", "2025"), {"employment_total": "9", "activity_status": "inactive"}),
    ("10", "mixed", ("88.10.Z", "2025"), {"members_legal_persons": "2", "employment_new_hires": ""}),
    ("10", "natural", None, {"revenue_grants": "0", "activity_status": "liquidation"}),
    ("14", "natural", ("88.10.Z", "2007"), {"employment_total": "12", "employment_at_risk": "7"}),
    ("14", "legal", ("56.10.A", "2007"), {"employment_new_hires": "3"}),
    ("14", "natural", ("43.39.Z", "2007"), {"revenue_other": "5000,25"}),
    ("14", "mixed", ("81.21.Z", "2025"), {"members_at_risk": "9"}),
    ("30", "natural", ("88.10.Z", "2007"), {"employment_fte": ""}),
    ("30", "natural", ("88.99.Z", "2007"), {"employment_total": "1"}),
    ("30", "legal", ("56.29.Z", "2025"), {"revenue_public_contracts": "0"}),
    ("12", "natural", ("88.10.Z", "2007"), {"employment_total": "20"}),
]
SECTIONS = {
    ("88.10.Z", "2007"): "2007-Q",
    ("88.99.Z", "2007"): "2007-Q",
    ("56.29.Z", "2007"): "2007-I",
    ("56.10.A", "2007"): "2007-I",
    ("43.39.Z", "2007"): "2007-F",
    ("81.21.Z", "2025"): "2025-O",
    ("88.10.Z", "2025"): "2025-R",
    ("56.29.Z", "2025"): "2025-I",
}


def _number(text):
    return None if text in ("", None) else Decimal(text.replace(",", "."))


@pytest.fixture
def dataset(staff):
    wave = make_wave(status=Wave.Status.PUBLISHED)
    wave.status = Wave.Status.OPEN
    wave.save()
    records = []
    for voivodeship, founder, main_pkd, overrides in SPEC:
        cooperative = CooperativeFactory(gmina_id=GMINAS[voivodeship], founder_type=founder)
        if main_pkd:
            CooperativeActivity.objects.create(
                cooperative=cooperative, code=main_pkd[0], version=main_pkd[1], is_main=True
            )
        CooperativeActivity.objects.create(cooperative=cooperative, code="47.91.Z", version="2007", is_main=False)
        answers = {**VALID_ANSWERS, **overrides}
        save(wave, cooperative, staff, submit=True, as_staff=True, **overrides)
        records.append(
            {
                "none": statistics.TOTAL_KEY,
                "voivodeship": voivodeship,
                "founder_type": founder,
                "pkd_section": SECTIONS[main_pkd] if main_pkd else "",
                "pkd_combined": pkd.combined_key(SECTIONS[main_pkd]) if main_pkd else "",
                "answers": answers,
            }
        )
    # a draft and a cooperative without a response must not count
    save(wave, CooperativeFactory(), staff, employment_total="999")
    CooperativeFactory()
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    return wave, records


def expected(records, indicator, breakdown):
    """cells[(group, column)] = (value, contributors), computed without the database."""
    cells = defaultdict(lambda: [Decimal(0), 0])
    row_totals = defaultdict(lambda: [Decimal(0), set()])
    for index, record in enumerate(records):
        group = record[breakdown]
        if indicator.kind == "count":
            column = record["answers"][indicator.questions[0]]
            for key in {(group, column), (statistics.TOTAL_KEY, column)}:
                cells[key][0] += 1
                cells[key][1] += 1
            for key in {group, statistics.TOTAL_KEY}:
                row_totals[key][0] += 1
                row_totals[key][1].add(index)
            continue
        for code in indicator.questions:
            value = _number(record["answers"].get(code))
            if value is None:
                continue
            for key in {(group, code), (statistics.TOTAL_KEY, code)}:
                cells[key][0] += value
                cells[key][1] += 1
            for key in {group, statistics.TOTAL_KEY}:
                row_totals[key][0] += value
                row_totals[key][1].add(index)
    return cells, {key: (value, len(members)) for key, (value, members) in row_totals.items()}


@pytest.mark.parametrize("breakdown", list(statistics.BREAKDOWNS))
@pytest.mark.parametrize("indicator_code", list(INDICATORS))
def test_tables_match_independently_computed_values(dataset, breakdown, indicator_code):
    wave, records = dataset
    indicator = INDICATORS[indicator_code]
    table = build_table(wave=wave, indicator=indicator, breakdown=breakdown, filters={}, confidential_view=True)
    cells, row_totals = expected(records, indicator, breakdown)
    groups = {record[breakdown] for record in records}
    rows = {row.key: row for row in table.all_rows}
    assert set(rows) == groups | {statistics.TOTAL_KEY}
    for row in table.all_rows:
        for (code, _label), cell in zip(table.columns, row.cells, strict=True):
            value, contributors = cells.get((row.key, code), (0, 0))
            assert (Decimal(cell.value), cell.contributors) == (Decimal(value), contributors), (row.key, code)
        if indicator.columns_add_up:
            assert (Decimal(row.total.value), row.total.contributors) == tuple(
                Decimal(x) if i == 0 else x for i, x in enumerate(row_totals[row.key])
            )


def test_filters_narrow_the_table(dataset):
    wave, records = dataset
    table = build_table(
        wave=wave,
        indicator=INDICATORS["employment"],
        breakdown="none",
        filters={"voivodeship": "14", "founder_type": "natural"},
        confidential_view=True,
    )
    chosen = [r for r in records if r["voivodeship"] == "14" and r["founder_type"] == "natural"]
    assert table.total_row.cells[0].value == sum(_number(r["answers"]["employment_total"]) for r in chosen)
    assert table.total_row.cells[0].contributors == len(chosen)


def test_public_view_hides_small_sums_perturbs_the_rest_and_staff_see_exact_values(dataset):
    wave, _records = dataset
    public = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=False
    )
    staff = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=True
    )
    krakow = next(row for row in public.rows if row.key == "12")  # one cooperative
    assert all(cell.hidden and cell.shown_value is None and cell.shown_contributors is None for cell in krakow.cells)
    lodz = next(row for row in public.rows if row.key == "10")  # five cooperatives
    for public_cell, exact in zip(lodz.cells, next(r for r in staff.rows if r.key == "10").cells, strict=True):
        assert not public_cell.hidden
        assert public_cell.shown_value != exact.value  # never the exact sum
        noise = abs(public_cell.shown_value - exact.value)
        assert noise <= max(disclosure.scale() * exact.top, disclosure.FLOOR["other"]) + Decimal("0.01")
        assert public_cell.shown_contributors % 3 == 0
    staff_krakow = next(row for row in staff.rows if row.key == "12")
    assert staff_krakow.cells[0].shown_value == 20 and staff_krakow.cells[0].confidential


def test_public_counts_are_multiples_of_three_and_the_same_population_gets_the_same_count(dataset):
    wave, _records = dataset
    by_founder = build_table(
        wave=wave,
        indicator=INDICATORS["cooperatives"],
        breakdown="founder_type",
        filters={"voivodeship": "10"},
        confidential_view=False,
    )
    by_voivodeship = build_table(
        wave=wave,
        indicator=INDICATORS["cooperatives"],
        breakdown="voivodeship",
        filters={"founder_type": "legal"},
        confidential_view=False,
    )
    for table in (by_founder, by_voivodeship):
        for row in table.all_rows:
            for cell in [*row.cells, row.total]:
                assert cell.shown_value % 3 == 0 and cell.shown_value == cell.shown_contributors
    # legal-person cooperatives of łódzkie, reached through two different tables
    legal = next(row for row in by_founder.rows if row.key == "legal")
    lodz = next(row for row in by_voivodeship.rows if row.key == "10")
    assert [c.shown_value for c in legal.cells] == [c.shown_value for c in lodz.cells]


@pytest.mark.parametrize("count", [1, 2, 4, 5, 7])
def test_random_rounding_is_unbiased_and_never_exact_for_a_remainder(count):
    rounded = [disclosure.round_count(count, key) for key in range(3000)]
    assert set(rounded) == {count - count % 3, count - count % 3 + 3}
    assert abs(sum(rounded) / len(rounded) - count) < 0.15
    assert disclosure.round_count(count, 12345) == disclosure.round_count(count, 12345)
    assert disclosure.round_count(0, 1) == 0 and disclosure.round_count(6, 1) == 6


def test_noise_of_a_sum_is_between_half_and_all_of_its_scale_and_keeps_non_negative_sums_non_negative():
    scale = disclosure.scale() * 1000
    for key in range(300):
        published = disclosure.perturb_sum(Decimal(5000), 4, key, 1000, floor=Decimal(1))
        assert scale / 2 - Decimal("0.01") <= abs(published - 5000) <= scale + Decimal("0.01")
        assert disclosure.perturb_sum(0, 3, key, 0, floor=Decimal(100)) > 0


@override_settings(MONITORING_PERTURBATION_KEY="another-secret")
def test_the_perturbation_depends_on_the_secret_key():
    changed = [disclosure.round_count(1, key) for key in range(50)]
    with override_settings(MONITORING_PERTURBATION_KEY="development-only-perturbation-key"):
        assert changed != [disclosure.round_count(1, key) for key in range(50)]


def test_pkd_sections_of_both_versions_can_be_seen_together(dataset):
    wave, records = dataset
    table = build_table(
        wave=wave, indicator=INDICATORS["cooperatives"], breakdown="pkd_combined", filters={}, confidential_view=True
    )
    rows = {row.key: row for row in table.rows}
    # 2007 Q and 2025 R are the same divisions (86-88): one row with both versions' cooperatives
    assert rows["2007-Q"].total.value == sum(1 for r in records if r["pkd_section"] in ("2007-Q", "2025-R"))
    assert "Q (PKD 2007) = R (PKD 2025)" in rows["2007-Q"].label
    assert "2025-R" not in rows


def test_rows_sort_in_polish_alphabetical_order(dataset):
    wave, _records = dataset
    table = build_table(
        wave=wave, indicator=INDICATORS["cooperatives"], breakdown="voivodeship", filters={}, confidential_view=True
    )
    assert [row.label for row in table.rows] == ["ŁÓDZKIE", "MAŁOPOLSKIE", "MAZOWIECKIE", "WIELKOPOLSKIE"]


def test_trend_and_panel_follow_the_same_cooperatives(staff):
    first = make_wave(reference_year=2022, name="2022")
    second = make_wave(reference_year=2023, name="2023")
    both = [CooperativeFactory() for _index in range(3)]
    only_first = CooperativeFactory()
    for cooperative, total in zip(both, (2, 4, 6), strict=True):
        save(first, cooperative, staff, submit=True, as_staff=True, employment_total=str(total))
        save(second, cooperative, staff, submit=True, as_staff=True, employment_total=str(total + 1))
    save(first, only_first, staff, submit=True, as_staff=True, employment_total="100")
    for wave in (first, second):
        wave.status = Wave.Status.PUBLISHED
        wave.save()
    indicator = INDICATORS["employment"]
    trend = statistics.trend(indicator=indicator, waves=[first, second], confidential_view=True)[0]
    position = trend["columns"].index("employment_total")
    assert [row["cells"][position].shown_value for row in trend["rows"]] == [112, 15]
    panel = statistics.panel_trend(indicator=indicator, earlier=first, later=second, confidential_view=True)
    assert panel["panel_size"] == 3
    assert [row["cells"][position].shown_value for row in panel["rows"]] == [12, 15]
    public = statistics.panel_trend(indicator=indicator, earlier=first, later=second, confidential_view=False)
    assert public["panel_size"] == 3 and public["rows"][1]["cells"][position].shown_value != 15


def test_trend_cells_are_the_wave_tables_total_cells(staff):
    wave = make_wave(reference_year=2022, name="2022")
    for status in ["active"] * 4 + ["liquidation"]:
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, activity_status=status)
    trend = statistics.trend(indicator=INDICATORS["cooperatives"], waves=[wave], confidential_view=False)[0]
    cells = dict(zip(trend["columns"], trend["rows"][0]["cells"], strict=True))
    table = build_table(
        wave=wave, indicator=INDICATORS["cooperatives"], breakdown="none", filters={}, confidential_view=False
    )
    totals = dict(zip([code for code, _label in table.columns], table.total_row.cells, strict=True))
    assert {code: cell.shown_value for code, cell in cells.items()} == {
        code: totals[code].shown_value for code in cells
    }
    assert cells["liquidation"].shown_value in (0, 3)


@pytest.mark.parametrize("breakdown", ["none", "voivodeship"])
def test_a_population_has_one_key_in_every_table_even_when_two_record_keys_are_equal(dataset, breakdown):
    """A row total's key is the sum of its cooperatives' record keys, whichever indicator reached them: with two
    equal record keys (random keys may collide), a distinct sum of keys would give the same cooperatives another
    key, so another rounding of their count, and two roundings of one count narrow it down."""
    wave, _records = dataset
    lodz = list(Response.objects.submitted().filter(wave=wave, cooperative__voivodeship_id="10").order_by("pk"))
    Response.objects.filter(pk__in=[lodz[0].pk, lodz[1].pk]).update(record_key=lodz[0].record_key)
    submitted = Response.objects.submitted().filter(wave=wave)
    if breakdown == "voivodeship":
        submitted = submitted.filter(cooperative__voivodeship_id="10")
    population_key = sum(submitted.values_list("record_key", flat=True))
    population = submitted.count()
    keys, shown = set(), set()
    for code in ("cooperatives", "members", "revenue"):
        table = build_table(
            wave=wave, indicator=INDICATORS[code], breakdown=breakdown, filters={}, confidential_view=False
        )
        row = table.total_row if breakdown == "none" else next(row for row in table.rows if row.key == "10")
        assert row.total.contributors == population
        keys.add(row.total.key)
        shown.add(row.total.shown_contributors)
    assert keys == {population_key} and len(shown) == 1
    if breakdown == "none":
        assert shown == {statistics.responses_submitted(wave, confidential_view=False)}


def test_the_grouped_statement_reads_each_answer_once_without_distinct_aggregates(dataset):
    """The numbers of a page come from one statement whose per-answer work is one row per response (the answers
    pivoted by question code), not a conditional aggregate per cell over every answer."""
    wave, _records = dataset
    with CaptureQueriesContext(connection) as queries:
        statistics.build_tables(wave=wave, breakdown="voivodeship", filters={}, confidential_view=False)
    grouped = [query["sql"] for query in queries.captured_queries if "GROUP BY" in query["sql"]]
    assert len(grouped) == 1
    assert "DISTINCT" not in grouped[0].upper()
