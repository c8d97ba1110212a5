"""Statistics are checked against values computed here, independently, from the fixture answers, for every
breakdown and indicator; then primary and secondary suppression."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import override_settings

from cooperatives.models import CooperativeActivity
from monitoring import statistics
from monitoring.models import Wave
from monitoring.statistics import INDICATORS, Cell, Row, Table, apply_disclosure_control, build_table
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


def test_public_view_suppresses_small_cells_and_staff_see_them_marked(dataset):
    wave, _records = dataset
    public = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=False
    )
    staff = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=True
    )
    krakow = next(row for row in public.rows if row.key == "12")  # one cooperative
    assert all(cell.hidden and cell.shown_value is None and cell.reason == "primary" for cell in krakow.cells)
    # each column total is published, so the next-smallest cell of each column is hidden too: wielkopolskie (3
    # cooperatives), except FTE, where only 2 of them answered and the cell is hidden on its own account
    poznan = next(row for row in public.rows if row.key == "30")
    assert [cell.reason for cell in poznan.cells] == ["secondary", "secondary", "secondary", "primary"]
    assert all(cell.hidden for cell in poznan.cells)
    assert all(not cell.hidden for row in public.rows if row.key == "10" for cell in row.cells)
    # FTE: the two hidden cells are both small, so their sum must not be pinned either: mazowieckie's goes too
    warsaw = next(row for row in public.rows if row.key == "14")
    assert [cell.reason for cell in warsaw.cells] == ["", "", "", "secondary"]
    assert all(not cell.hidden for cell in public.total_row.cells)
    staff_krakow = next(row for row in staff.rows if row.key == "12")
    assert staff_krakow.cells[0].value == 20 and staff_krakow.cells[0].confidential


@override_settings(MONITORING_MIN_CELL_SIZE=1)
def test_threshold_is_configurable(dataset):
    wave, _records = dataset
    table = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=False
    )
    assert table.suppressed_count == 0


def _table(grid, *, row_totals: bool, with_total_row: bool = True) -> Table:
    def cell(n):
        return Cell(value=n * 10, contributors=n)

    rows = [
        Row(key=str(i), label=str(i), cells=[cell(n) for n in line], total=cell(sum(line)) if row_totals else None)
        for i, line in enumerate(grid)
    ]
    totals = [sum(line[j] for line in grid) for j in range(len(grid[0]))]
    total_row = Row(
        key="t", label="t", cells=[cell(n) for n in totals], total=cell(sum(totals)) if row_totals else None
    )
    indicator = statistics.Indicator("x", "x", "count", ("q",), columns_add_up=row_totals)
    return Table(
        wave=None,
        indicator=indicator,
        breakdown="voivodeship" if with_total_row else "none",
        filters={},
        columns=[(str(j), str(j)) for j in range(len(grid[0]))],
        rows=rows,
        total_row=total_row,
        min_cell_size=3,
        is_confidential_view=False,
    )


def test_primary_suppression_hides_cells_below_the_threshold_only():
    table = _table([[1, 5], [2, 7], [0, 9]], row_totals=False)
    apply_disclosure_control(table)
    assert [c.reason for c in table.rows[0].cells] == ["primary", ""]
    assert [c.reason for c in table.rows[1].cells] == ["primary", ""]
    # an empty cell reveals no one and protects no one: with no other cell to hide, the column total goes
    assert table.rows[2].cells[0].hidden is False
    assert table.total_row.cells[0].reason == "secondary"
    assert [c.hidden for c in table.total_row.cells] == [True, False]


def test_secondary_suppression_in_a_column_with_a_published_total():
    table = _table([[1, 5], [4, 7], [6, 9]], row_totals=False)
    apply_disclosure_control(table)
    column = [row.cells[0] for row in table.rows]
    assert [c.reason for c in column] == ["primary", "secondary", ""]  # the next-smallest cell, 4
    assert [c.reason for c in (row.cells[1] for row in table.rows)] == ["", "", ""]


def test_two_small_hidden_cells_are_protected_by_a_third():
    # 1 + 2 hidden under a published total of 3 + 9: the hidden pair could only be (1, 2) or (2, 1)
    table = _table([[1, 5], [2, 7], [9, 9]], row_totals=False)
    apply_disclosure_control(table)
    assert [row.cells[0].reason for row in table.rows] == ["primary", "primary", "secondary"]


def test_secondary_suppression_in_a_row_with_a_published_total():
    table = _table([[2, 5, 8]], row_totals=True, with_total_row=False)
    apply_disclosure_control(table)
    assert [c.reason for c in table.total_row.cells] == ["primary", "secondary", ""]


@pytest.mark.parametrize("seed", range(25))
def test_no_published_total_gives_away_a_single_hidden_cell(seed):
    rng = random.Random(seed)
    grid = [[rng.choice([0, 1, 2, 3, 4, 6, 9]) for _c in range(4)] for _r in range(5)]
    table = _table(grid, row_totals=True)
    apply_disclosure_control(table)
    matrix = [[*row.cells, row.total] for row in table.all_rows]
    lines = [(line[:-1], line[-1]) for line in matrix]
    lines += [([line[index] for line in matrix[:-1]], matrix[-1][index]) for index in range(len(matrix[0]))]
    for cells, total in lines:
        hidden = [cell for cell in cells if cell.suppressed]
        if hidden and not total.suppressed:
            # never a single hidden cell, and never only small ones that the total would pin down
            assert len(hidden) >= 2 and any(cell.contributors >= 3 for cell in hidden)
    for line in matrix:
        for cell in line:
            if 0 < cell.contributors < 3:
                assert cell.hidden


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
    trend = statistics.trend(indicator=indicator, waves=[first, second], confidential_view=False)[0]
    position = trend["columns"].index("employment_total")
    assert [row["cells"][position].value for row in trend["rows"]] == [112, 15]
    panel = statistics.panel_trend(indicator=indicator, earlier=first, later=second, confidential_view=False)
    assert panel["panel_size"] == 3
    assert [row["cells"][position].value for row in panel["rows"]] == [12, 15]


def test_panel_cells_that_differ_from_the_whole_wave_by_a_few_cooperatives_are_hidden(staff):
    first = make_wave(reference_year=2022, name="2022")
    second = make_wave(reference_year=2023, name="2023")
    both = [CooperativeFactory() for _index in range(3)]
    for cooperative in both:
        save(first, cooperative, staff, submit=True, as_staff=True)
        save(second, cooperative, staff, submit=True, as_staff=True)
    save(first, CooperativeFactory(), staff, submit=True, as_staff=True, employment_total="100")
    indicator = INDICATORS["employment"]
    panel = statistics.panel_trend(indicator=indicator, earlier=first, later=second, confidential_view=False)
    position = panel["columns"].index("employment_total")
    earlier_cell, later_cell = (row["cells"][position] for row in panel["rows"])
    # whole 2022 minus the panel's 2022 would be the one cooperative outside the panel
    assert earlier_cell.hidden and earlier_cell.shown_value is None
    assert not later_cell.hidden and later_cell.shown_value == 18


def test_trend_rows_are_protected_against_the_published_wave_total(staff):
    wave = make_wave(reference_year=2022, name="2022")
    for status in ["active"] * 4 + ["liquidation"]:
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, activity_status=status)
    trend = statistics.trend(indicator=INDICATORS["cooperatives"], waves=[wave], confidential_view=False)[0]
    cells = dict(zip(trend["columns"], trend["rows"][0]["cells"], strict=True))
    assert cells["liquidation"].reason == "primary"
    # the wave page publishes 5 in total, so 4 active would reveal 1 in liquidation
    assert cells["active"].reason == "secondary" and cells["active"].hidden
