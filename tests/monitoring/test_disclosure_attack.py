"""The attacker: every public statistics table of two published waves is fetched in-process (every indicator x
breakdown x filter combination the pages and the API accept: the wave page's four tables per breakdown and filters,
which the API serves one by one, as a sample checks), plus the page's counts, the trends and the panel; then
chained subtraction across all of them. No derived value may equal the microdata value of a cell of 1-2
cooperatives.

Every published number is about a population known from its table's definition: for a count, a set of responses;
for a sum, a set of (response, question) answers. The attacker here is stronger than a real one: it is told the
true population of every published number (as if it knew the microdata's grouping), so two different definitions
that happen to cover the same cooperatives are recognised as the same population. It then subtracts any published
or derived number from any other whose population contains it, round after round (total minus published siblings;
a filtered table from an unfiltered one; a panel from a whole wave), and checks every derived number of a population
of 1-2 cooperatives against the microdata.

The same attack against the old per-table protection (primary and secondary suppression decided table by table,
kept below as the reference) must find recoveries: that is what shows the attack is strong enough to mean something.
"""

import itertools
import json
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cooperatives.models import CooperativeActivity
from monitoring import pkd, selectors, statistics
from monitoring.api.views import _row_data
from monitoring.models import Answer, Response, Wave
from tests.cooperatives.factories import CooperativeFactory

from .conftest import make_wave
from .test_services import save

pytestmark = pytest.mark.django_db

GMINAS = {"10": "1061011", "14": "1465011", "30": "3064011"}
FOUNDERS = ["natural", "legal", "mixed"]
ACTIVITIES = [("88.10.Z", "2007"), ("56.29.Z", "2007"), ("88.10.Z", "2025"), ("43.39.Z", "2007"), None]
STATUSES = ["active", "active", "active", "inactive", "liquidation"]
BREAKDOWNS = list(statistics.BREAKDOWNS)
ROUNDS = 3


def _answers(rng: random.Random) -> dict:
    def amount(low, high):
        return str(rng.choice([0, rng.randint(low, high)]))

    answers = {
        "activity_status": rng.choice(STATUSES),
        "members_at_risk": str(rng.randint(1, 12)),
        "members_other_persons": str(rng.randint(0, 4)),
        "members_legal_persons": str(rng.choice([0, 0, 1, 2])),
        "employment_total": str(rng.randint(1, 25)),
        "employment_at_risk": rng.randint(0, 10),
        "employment_new_hires": str(rng.randint(0, 4)),
        "employment_fte": f"{rng.randint(1, 20)},{rng.choice([0, 5])}",
        "revenue_market": f"{rng.randint(10_000, 400_000)},{rng.randint(0, 99):02d}",
        "revenue_public_contracts": amount(1_000, 200_000),
        "revenue_grants": amount(1_000, 80_000),
        "revenue_other": amount(100, 9_000),
    }
    # never more employees at risk than employees (the questionnaire's rule); the same draws as before
    answers["employment_at_risk"] = str(min(answers["employment_at_risk"], int(answers["employment_total"])))
    return answers


@pytest.fixture
def registry(staff):
    """A small deterministic registry and two published waves: 27 cooperatives over 3 voivodeships x 3 founder
    types x 5 main activities; 22 answer both waves (the panel), the others one wave each."""
    rng = random.Random(20240611)
    first = make_wave(reference_year=2022, name="Fala 2022")
    second = make_wave(reference_year=2023, name="Fala 2023")
    cooperatives = []
    for index, (voivodeship, founder) in enumerate(itertools.product(GMINAS, FOUNDERS)):
        for extra in range(3 if index % 3 == 0 else (2 if index % 2 else 4)):
            cooperative = CooperativeFactory(gmina_id=GMINAS[voivodeship], founder_type=founder)
            activity = ACTIVITIES[(index + extra) % len(ACTIVITIES)]
            if activity:
                CooperativeActivity.objects.create(
                    cooperative=cooperative, code=activity[0], version=activity[1], is_main=True
                )
            cooperatives.append(cooperative)
    for position, cooperative in enumerate(cooperatives):
        if position % 6 != 5:
            save(first, cooperative, staff, submit=True, as_staff=True, **_answers(rng))
        if position % 6 != 2 or position % 4 == 0:
            save(second, cooperative, staff, submit=True, as_staff=True, **_answers(rng))
    keys = random.Random(7)
    for response in Response.objects.order_by("pk"):  # fixed keys: the same published numbers on every run
        Response.objects.filter(pk=response.pk).update(record_key=keys.randrange(2**31))
    for wave in (first, second):
        wave.status = Wave.Status.PUBLISHED
        wave.save()
    cache.clear()
    return first, second


class Microdata:
    """What the tester (not the attacker) knows: every submitted response's groups and answers."""

    def __init__(self, waves):
        self.responses = {}
        for response in Response.objects.filter(wave__in=waves, status=Response.Status.SUBMITTED).select_related(
            "cooperative"
        ):
            cooperative = response.cooperative
            main = cooperative.activities.filter(is_main=True).first()
            section = ""
            if main is not None:
                section = pkd.section_key(main.version, pkd.section_for(main.code, main.version))
            self.responses[(response.wave_id, response.pk)] = {
                "wave": response.wave_id,
                "cooperative": cooperative.pk,
                "voivodeship": cooperative.voivodeship_id,
                "founder_type": cooperative.founder_type,
                "pkd_section": section,
                "pkd_combined": pkd.combined_key(section) if section else "",
                "answers": {},
            }
        for answer in Answer.objects.filter(response__wave__in=waves).select_related("question"):
            record = self.responses.get((answer.question.wave_id, answer.response_id))
            if record is not None:
                value = answer.numeric_value if answer.question.is_numeric else answer.text_value
                record["answers"][answer.question.code] = value

    def members(self, wave_pk: int, groups: dict, cooperatives=None) -> list:
        return [
            key
            for key, record in self.responses.items()
            if record["wave"] == wave_pk
            and all(record[name] == value for name, value in groups.items())
            and (cooperatives is None or record["cooperative"] in cooperatives)
        ]

    def value(self, family: str, population: frozenset) -> Decimal:
        if family == "count":
            return Decimal(len(population))
        return sum((self.responses[(w, r)]["answers"][code] for w, r, code in population), Decimal(0))

    @staticmethod
    def cooperatives(family: str, population: frozenset) -> int:
        return len(population) if family == "count" else len({(w, r) for w, r, _code in population})


class Published:
    """Every published number by the population it is about. A population published twice with different values
    is an averaging opportunity; it is recorded."""

    def __init__(self):
        self.known = {"count": {}, "sum": {}}
        self.conflicts = []

    def add(self, family: str, population, value) -> None:
        if value is None or not population:
            return
        population, value = frozenset(population), Decimal(str(value))
        previous = self.known[family].setdefault(population, value)
        if previous != value:
            self.conflicts.append((family, sorted(population), previous, value))


def _answered(micro: Microdata, members, code: str) -> list:
    return [key for key in members if micro.responses[key]["answers"].get(code) not in (None, "")]


def _table_populations(micro, published, data, wave_pk, filters, breakdown):
    indicator = statistics.INDICATORS[data["indicator"]]
    rows = [*data["rows"], data["total"]] if breakdown != "none" else [data["total"]]
    for row in rows:
        groups = dict(filters)
        if row is not data["total"]:
            groups[breakdown] = row["key"]
        members = micro.members(wave_pk, groups)
        any_answer = set()
        for cell in row["cells"]:
            if indicator.kind == "count":
                status = cell["column"]
                chosen = [key for key in members if micro.responses[key]["answers"].get("activity_status") == status]
                published.add("count", chosen, cell["value"])
                published.add("count", chosen, cell["cooperatives"])
                any_answer |= set(chosen)
            else:
                answered = _answered(micro, members, cell["column"])
                published.add("sum", [(*key, cell["column"]) for key in answered], cell["value"])
                published.add("count", answered, cell["cooperatives"])
                any_answer |= set(answered)
        if row.get("total"):
            total = row["total"]
            if indicator.kind == "count":
                published.add("count", any_answer, total["value"])
            else:
                atoms = [(*key, code) for code in indicator.questions for key in _answered(micro, members, code)]
                published.add("sum", atoms, total["value"])
            published.add("count", any_answer, total["cooperatives"])


def collect(first, second) -> tuple[Microdata, Published, int]:
    """Fetch every public table anonymously; returns the microdata, the published numbers and the table count."""
    api, client = APIClient(), Client()
    micro = Microdata([first, second])
    published = Published()
    voivodeships = sorted({record["voivodeship"] for record in micro.responses.values()})
    filter_sets = [{}]
    filter_sets += [{"voivodeship": code} for code in voivodeships]
    filter_sets += [{"founder_type": founder} for founder in FOUNDERS]
    filter_sets += [{"voivodeship": v, "founder_type": f} for v in voivodeships for f in FOUNDERS]
    tables = 0
    for wave in (first, second):
        for breakdown, filters in itertools.product(BREAKDOWNS, filter_sets):
            # The wave page builds the four indicators' tables of a breakdown and filters from one query, as the
            # API does one of them: the page's tables, serialised as the API serialises them (checked below).
            page = client.get(reverse("monitoring:wave", kwargs={"pk": wave.pk}), {"breakdown": breakdown, **filters})
            if page.context["errors"]:  # a combination the pages and the API refuse
                assert (
                    api.get(
                        reverse("statistics-list"),
                        {"wave": wave.pk, "indicator": "members", "breakdown": breakdown, **filters},
                    ).status_code
                    == 400
                )
                continue
            for table in page.context["tables"]:
                data = {"indicator": table.indicator.code, "rows": [_row_data(table, row) for row in table.rows]}
                data["total"] = _row_data(table, table.total_row)
                tables += 1
                _table_populations(micro, published, data, wave.pk, filters, breakdown)
                if not filters and breakdown in ("none", "pkd_combined"):
                    params = {"wave": wave.pk, "indicator": table.indicator.code, "breakdown": breakdown}
                    served = api.get(reverse("statistics-list"), params).json()
                    expected = json.loads(json.dumps([data["rows"], data["total"]], default=float))
                    assert [served["rows"], served["total"]] == expected
        published.add("count", micro.members(wave.pk, {}), page.context["responses_submitted"])
    overview = selectors.statistics_overview(confidential_view=False)
    panel_cooperatives = {
        record["cooperative"] for record in micro.responses.values() if record["wave"] == first.pk
    } & {record["cooperative"] for record in micro.responses.values() if record["wave"] == second.pk}
    for kind, trends in (("trend", overview["trends"]), ("panel", overview["panels"])):
        for trend in trends:
            indicator = trend["indicator"]
            for row in trend["rows"]:
                wave_pk = row["wave"].pk
                members = micro.members(wave_pk, {}, panel_cooperatives if kind == "panel" else None)
                for column, cell in zip(trend["columns"], row["cells"], strict=True):
                    if indicator.kind == "count":
                        chosen = [
                            key for key in members if micro.responses[key]["answers"].get("activity_status") == column
                        ]
                        published.add("count", chosen, cell.shown_value)
                    else:
                        answered = _answered(micro, members, column)
                        published.add("sum", [(*key, column) for key in answered], cell.shown_value)
            if kind == "panel":
                published.add("count", micro.members(second.pk, {}, panel_cooperatives), trend["panel_size"])
    return micro, published, tables


def attack(micro: Microdata, published: Published) -> list[tuple]:
    """Chained subtraction: any published number minus any published number about a part of its population, then
    the results minus published numbers again, ROUNDS times (total minus published siblings, across tables);
    returns the exact recoveries of populations of 1-2 cooperatives. Populations are bit masks over the atoms
    (responses, or answers), and only populations of the same wave can nest."""
    recoveries = []
    for family, known in published.known.items():
        atoms = sorted({atom for population in known for atom in population})
        bit = {atom: 1 << index for index, atom in enumerate(atoms)}
        by_wave: dict[int, dict[int, Decimal]] = {}
        for population, value in known.items():
            by_wave.setdefault(next(iter(population))[0], {})[sum(bit[atom] for atom in population)] = value
        for values in by_wave.values():
            base = list(values.items())
            frontier = dict(values)
            for _round in range(ROUNDS):
                new = {}
                for whole, whole_value in frontier.items():
                    for part, part_value in base:
                        if part & whole != part or part == whole:
                            continue
                        rest = whole & ~part
                        if rest not in values and rest not in new:
                            new[rest] = whole_value - part_value
                for number, value in new.items():
                    if number.bit_count() <= 2 * len(statistics.INDICATOR_CODES):
                        population = frozenset(atom for atom in atoms if number & bit[atom])
                        size = micro.cooperatives(family, population)
                        if 1 <= size <= 2 and value == micro.value(family, population):
                            recoveries.append((family, sorted(population), value))
                values.update(new)
                frontier = new
    return recoveries


def test_no_public_query_sequence_recovers_a_small_cell(registry):
    first, second = registry
    micro, published, tables = collect(first, second)
    assert tables >= 480
    recoveries = attack(micro, published)
    assert recoveries == [], f"{len(recoveries)} small cells recovered exactly, e.g. {recoveries[:3]}"
    # the same population always gets the same published number, whatever table it was reached through
    assert published.conflicts == []


def per_table_protection(table) -> None:
    """The protection this project had before (kept here as the reference the attack must beat): primary
    suppression of cells of 1-2 cooperatives, then secondary suppression until no total of the same table gives a
    hidden cell away; published values exact."""
    threshold = table.min_cell_size
    matrix = [list(row.cells) + ([row.total] if row.total else []) for row in table.all_rows]
    for line in matrix:
        for cell in line:
            cell.suppressed = 0 < cell.contributors < threshold
    lines = [(line[:-1], line[-1]) for line in matrix] if table.has_row_totals else []
    if table.breakdown != "none":
        lines += [([row[index] for row in matrix[:-1]], matrix[-1][index]) for index in range(len(matrix[-1]))]
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            hidden = [cell for cell in cells if cell.suppressed]
            exposed = (
                not total.suppressed
                and hidden
                and (len(hidden) == 1 or all(c.contributors < threshold for c in hidden))
            )
            if not exposed:
                continue
            candidates = [cell for cell in cells if not cell.suppressed and cell.contributors > 0]
            partner = min(candidates, key=lambda cell: (cell.contributors, cell.value or 0)) if candidates else total
            partner.suppressed = changed = True
    for line in matrix:
        for cell in line:
            cell.hidden = cell.suppressed
            cell.shown_value = None if cell.hidden else cell.value
            cell.shown_contributors = None if cell.hidden else cell.contributors


def test_the_attack_breaks_a_per_table_protection(registry, monkeypatch):
    """Without consistent perturbation, every table safe on its own, the same attack recovers small cells."""
    first, second = registry
    monkeypatch.setattr(statistics, "protect_table", per_table_protection)
    micro, published, _tables = collect(first, second)
    recoveries = attack(micro, published)
    assert len(recoveries) > 10
    assert {family for family, _population, _value in recoveries} == {"count", "sum"}
