"""Statistics tables of a wave, aggregated in the database, with statistical disclosure control.

A table has one row per group of the breakdown (voivodeship, founder type, PKD section, or one row "ogółem"), one
column per measure, a row of column totals and, where the columns add up, a column of row totals. Every cell knows
how many cooperatives it aggregates; for non-staff a cell of fewer than MONITORING_MIN_CELL_SIZE cooperatives is
suppressed (primary); in any row or column with a published total whose hidden cells are all small, the
next-smallest cell is hidden too (secondary), so the small values can be recovered neither by subtraction nor from
their bounds. Staff see every value, with the would-be suppressed ones marked
confidential.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Count, F, FilteredRelation, Prefetch, Q, Sum, Value
from django.db.models.functions import Concat, Left
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, TerritorialUnit

from . import pkd
from .models import Answer, Choice, Question, Response, Wave
from .versions import versions_of, with_statistics_version

DEFAULT_MIN_CELL_SIZE = 3
TOTAL_KEY = "__total__"
CENTS = Decimal("0.01")
# Cached aggregates are keyed by the wave's statistics version, so they never go stale; the timeout only lets an
# unused entry go. CACHE_FORMAT changes when the shape of a cached value does.
CACHE_TIMEOUT = 7 * 24 * 60 * 60
CACHE_FORMAT = "v1"


def min_cell_size() -> int:
    return int(getattr(settings, "MONITORING_MIN_CELL_SIZE", DEFAULT_MIN_CELL_SIZE))


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    # "sum": one column per numeric question, the sum of answers; "count": one column per choice of a
    # single-choice question, the number of cooperatives that chose it.
    kind: str
    questions: tuple[str, ...]
    columns_add_up: bool
    unit: str = ""


INDICATORS = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            "cooperatives",
            _("Spółdzielnie według statusu działalności"),
            "count",
            ("activity_status",),
            columns_add_up=True,
            unit=_("spółdzielni"),
        ),
        Indicator(
            "employment",
            _("Zatrudnienie"),
            "sum",
            ("employment_total", "employment_at_risk", "employment_new_hires", "employment_fte"),
            columns_add_up=False,
        ),
        Indicator(
            "members",
            _("Członkowie według kategorii"),
            "sum",
            ("members_at_risk", "members_other_persons", "members_legal_persons"),
            columns_add_up=True,
        ),
        Indicator(
            "revenue",
            _("Przychody według źródła (zł)"),
            "sum",
            ("revenue_market", "revenue_public_contracts", "revenue_grants", "revenue_other"),
            columns_add_up=True,
            unit=_("zł"),
        ),
    )
}

INDICATOR_CODES = sorted({code for indicator in INDICATORS.values() for code in indicator.questions})

BREAKDOWNS = {
    "none": _("bez podziału"),
    "voivodeship": _("województwo"),
    "founder_type": _("typ założycieli"),
    "pkd_section": _("sekcja PKD działalności przeważającej"),
}


@dataclass
class Cell:
    value: Decimal | int | None
    contributors: int
    suppressed: bool = False
    reason: str = ""  # "primary" or "secondary"
    hidden: bool = False  # suppressed and the viewer may not see it

    @property
    def confidential(self) -> bool:
        return self.suppressed and not self.hidden

    @property
    def shown_value(self):
        return None if self.hidden else self.value


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell]
    total: Cell | None = None


@dataclass
class Table:
    wave: Wave
    indicator: Indicator
    breakdown: str
    filters: dict
    columns: list[tuple[str, str]]
    rows: list[Row]
    total_row: Row
    min_cell_size: int
    is_confidential_view: bool
    suppressed_count: int = 0
    questions: list[Question] = field(default_factory=list)

    @property
    def has_row_totals(self) -> bool:
        return self.indicator.columns_add_up

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.total_row] if self.breakdown != "none" else [self.total_row]


def _group_expression(breakdown: str):
    if breakdown == "voivodeship":
        return F("response__cooperative__voivodeship_id"), {}
    if breakdown == "founder_type":
        return F("response__cooperative__founder_type"), {}
    if breakdown == "pkd_section":
        relation = {
            "main_activity": FilteredRelation(
                "response__cooperative__activities", condition=Q(response__cooperative__activities__is_main=True)
            )
        }
        return pkd.section_expression("main_activity__code", "main_activity__version"), relation
    return Value(TOTAL_KEY, output_field=CharField()), {}


def _group_labels(breakdown: str, keys) -> dict[str, str]:
    if breakdown == "voivodeship":
        return {unit.code: unit.name for unit in TerritorialUnit.objects.voivodeships().filter(code__in=keys)}
    if breakdown == "founder_type":
        return {str(value): str(label) for value, label in Cooperative.FounderType.choices}
    if breakdown == "pkd_section":
        return {**pkd.section_labels(), "": str(_("brak danych o PKD"))}
    return {}


def answers_for(*, wave: Wave, filters: dict):
    """Answers of the submitted responses of a wave, narrowed by the registry filters."""
    answers = Answer.objects.filter(response__wave=wave, response__status=Response.Status.SUBMITTED)
    if filters.get("voivodeship"):
        answers = answers.filter(response__cooperative__voivodeship_id=filters["voivodeship"])
    if filters.get("founder_type"):
        answers = answers.filter(response__cooperative__founder_type=filters["founder_type"])
    return answers


def indicator_questions(waves) -> list[Question]:
    """The questions of every indicator in the waves, with their choices (two queries)."""
    return list(
        Question.objects.filter(wave__in=waves, code__in=INDICATOR_CODES)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
        .order_by("order", "pk")
    )


def _specs(questions: list[Question]) -> list[tuple[tuple, object]]:
    """Every number of every indicator's table as one conditional aggregate, keyed by what it means:
    ("cell", indicator, column, "v" or "n") and ("row", indicator, "n"), where "n" counts cooperatives.

    Within a group of one wave a response has at most one answer per question (answer_one_per_question), so a
    count of answers is a count of cooperatives; only a row over several questions needs a distinct count."""
    ids_by_code: dict[str, list[int]] = {}
    choices_by_code: dict[str, dict[str, None]] = {}
    for question in questions:
        ids_by_code.setdefault(question.code, []).append(question.pk)
        choices_by_code.setdefault(question.code, {}).update(dict.fromkeys(c.code for c in question.choices.all()))
    specs = []
    for indicator in INDICATORS.values():
        codes = [code for code in indicator.questions if code in ids_by_code]
        if not codes:
            continue
        all_ids = [pk for code in codes for pk in ids_by_code[code]]
        if indicator.kind == "sum":
            for code in codes:
                where = Q(question_id__in=ids_by_code[code], numeric_value__isnull=False)
                specs.append((("cell", indicator.code, code, "v"), Sum("numeric_value", filter=where)))
                specs.append((("cell", indicator.code, code, "n"), Count("pk", filter=where)))
            any_value = Q(question_id__in=all_ids, numeric_value__isnull=False)
        else:
            any_value = Q(question_id__in=all_ids) & ~Q(text_value="")
            choice_codes = dict.fromkeys(choice for code in codes for choice in choices_by_code[code])
            for choice in choice_codes:
                where = Q(question_id__in=all_ids, text_value=choice)
                count = Count("response", distinct=True, filter=where) if len(codes) > 1 else Count("pk", filter=where)
                specs.append((("cell", indicator.code, choice, "n"), count))
        row = Count("response", distinct=True, filter=any_value) if len(codes) > 1 else Count("pk", filter=any_value)
        specs.append((("row", indicator.code, "n"), row))
    return specs


def _grouped(answers, questions: list[Question], group, relation: dict) -> dict:
    """One query: every indicator's numbers per group (a breakdown's group, or a wave)."""
    specs = _specs(questions)
    if not specs:
        return {}
    ids = [question.pk for question in questions]
    aliases = {f"a{index}": key for index, (key, _aggregate) in enumerate(specs)}
    rows = (
        answers.filter(question_id__in=ids)
        .annotate(**relation)
        .annotate(group=group)
        .order_by()
        .values("group")
        .annotate(**{alias: aggregate for alias, (_key, aggregate) in zip(aliases, specs, strict=True)})
    )
    return {row["group"]: {key: row[alias] for alias, key in aliases.items()} for row in rows}


def _signature(questions: list[Question]) -> str:
    """What the aggregates were computed for: a draft wave's questionnaire may still change."""
    text = repr(sorted((q.pk, q.code, tuple(c.code for c in q.choices.all())) for q in questions))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _wave_key(wave_pk: int, version: int, signature: str) -> str:
    return f"monitoring:statistics:{CACHE_FORMAT}:wave:{wave_pk}:{version}:{signature}"


def wave_totals(waves: list[Wave], questions: list[Question]) -> dict[int, dict]:
    """The whole-wave numbers (no breakdown, no filter) of each wave, through the shared cache.

    Keyed by the wave's statistics version, raised in the transaction of every change to what they count, so an
    entry is never older than its key says; the waves missing from the cache are computed in one grouped query."""
    versions = versions_of(waves)
    by_wave: dict[int, list[Question]] = {}
    for question in questions:
        by_wave.setdefault(question.wave_id, []).append(question)
    keys = {wave.pk: _wave_key(wave.pk, versions[wave.pk], _signature(by_wave.get(wave.pk, []))) for wave in waves}
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [wave for wave in waves if wave.pk not in result]
    if missing:
        answers = Answer.objects.filter(response__wave__in=missing, response__status=Response.Status.SUBMITTED)
        wanted = [question for wave in missing for question in by_wave.get(wave.pk, [])]
        grouped = _grouped(answers, wanted, F("response__wave"), {})
        fresh = {wave.pk: grouped.get(wave.pk, {}) for wave in missing}
        cache.set_many({keys[pk]: numbers for pk, numbers in fresh.items()}, CACHE_TIMEOUT)
        result.update(fresh)
    return result


def build_table(
    *,
    wave: Wave,
    indicator: Indicator,
    breakdown: str,
    filters: dict,
    confidential_view: bool,
    questions: list[Question] | None = None,
    numbers: dict | None = None,
) -> Table:
    """One indicator's table of one wave, with disclosure control. `questions` (indicator_questions) and `numbers`
    (wave_numbers) let a page build its four tables from one aggregate query."""
    if questions is None:
        questions = indicator_questions([wave])
    if numbers is None:
        numbers = wave_numbers(wave=wave, breakdown=breakdown, filters=filters, questions=questions)
    return _table(wave, indicator, breakdown, filters, confidential_view, questions, numbers)


def build_tables(*, wave: Wave, breakdown: str, filters: dict, confidential_view: bool) -> list[Table]:
    """Every indicator's table of one wave: the questions (two queries), the numbers (cached, or one query) and
    the group labels (at most one query) are shared by the tables."""
    questions = indicator_questions([wave])
    numbers = wave_numbers(wave=wave, breakdown=breakdown, filters=filters, questions=questions)
    labels = _group_labels(breakdown, list(numbers)) if breakdown != "none" else {}
    return [
        _table(wave, indicator, breakdown, filters, confidential_view, questions, numbers, labels)
        for indicator in INDICATORS.values()
    ]


def wave_numbers(*, wave: Wave, breakdown: str, filters: dict, questions: list[Question]) -> dict:
    """Every indicator's numbers per group of the breakdown: from the cache for the whole wave, else one query."""
    if breakdown == "none" and not any(filters.values()):
        return {TOTAL_KEY: wave_totals([wave], questions)[wave.pk]}
    answers = answers_for(wave=wave, filters=filters)
    if breakdown == "pkd_section":
        return _pkd_section_numbers(answers, questions)
    group, relation = _group_expression(breakdown)
    return _grouped(answers, questions, group, relation)


def _pkd_section_numbers(answers, questions: list[Question]) -> dict:
    """Grouped in SQL by the main activity's version and division (its first two digits), then merged into
    sections here: cheaper than evaluating the sections' CASE for every answer, and exact, as every number is a sum
    or a count over disjoint divisions."""
    relation = {
        "main_activity": FilteredRelation(
            "response__cooperative__activities", condition=Q(response__cooperative__activities__is_main=True)
        )
    }
    group = Concat(F("main_activity__version"), Value("|"), Left("main_activity__code", 2), output_field=CharField())
    sections: dict[str, dict] = {}
    for key, numbers in _grouped(answers, questions, group, relation).items():
        version, _separator, division = (key or "").partition("|")
        letter = pkd.section_for(division, version) if division else None
        merged = sections.setdefault(pkd.section_key(version, letter) if letter else "", {})
        for name, value in numbers.items():
            if value is not None:
                merged[name] = merged.get(name, 0) + value
    return sections


def _table(wave, indicator, breakdown, filters, confidential_view, all_questions, numbers, labels=None) -> Table:
    questions = [question for question in all_questions if question.code in indicator.questions]
    if indicator.kind == "sum":
        by_code = {question.code: question for question in questions}
        columns = [(code, by_code[code].text) for code in indicator.questions if code in by_code]
    else:
        columns = [(choice.code, choice.label) for question in questions for choice in question.choices.all()]
    column_codes = [code for code, _label in columns]
    code = indicator.code

    def cell_data(group_numbers: dict, column: str) -> tuple:
        n = group_numbers.get(("cell", code, column, "n")) or 0
        value = group_numbers.get(("cell", code, column, "v")) if indicator.kind == "sum" else n
        return value, n

    groups = {key: data for key, data in numbers.items() if data.get(("row", code, "n"))}
    column_totals = {column: [0, 0] for column in column_codes}
    grand = [0, 0]
    row_data = {}
    for key, data in groups.items():
        cells, row_value = [], 0
        for column in column_codes:
            value, n = cell_data(data, column)
            cells.append(Cell(value=_tidy(value), contributors=n) if n else Cell(value=0, contributors=0))
            column_totals[column][0] += value or 0
            column_totals[column][1] += n
            row_value += value or 0
        n = data[("row", code, "n")]
        if indicator.kind == "count":
            row_value = n
        grand[0] += row_value
        grand[1] += n
        row_data[key] = (cells, Cell(value=_tidy(row_value), contributors=n))

    def total_cell(value, n) -> Cell:
        return Cell(value=_tidy(value), contributors=n) if n else Cell(value=0, contributors=0)

    if labels is None:
        labels = _group_labels(breakdown, list(groups)) if breakdown != "none" else {}
    rows = []
    if breakdown != "none":
        for key, (cells, total) in row_data.items():
            rows.append(
                Row(
                    key=key,
                    label=labels.get(key, key),
                    cells=cells,
                    total=total if indicator.columns_add_up else None,
                )
            )
        rows.sort(key=lambda row: (row.key == "", str(row.label)))
    total_row = Row(
        key=TOTAL_KEY,
        label=str(_("Ogółem")),
        cells=[total_cell(*column_totals[column]) for column in column_codes],
        total=total_cell(*grand) if indicator.columns_add_up else None,
    )
    table = Table(
        wave=wave,
        indicator=indicator,
        breakdown=breakdown,
        filters=filters,
        columns=columns,
        rows=rows,
        total_row=total_row,
        min_cell_size=min_cell_size(),
        is_confidential_view=confidential_view,
        questions=questions,
    )
    apply_disclosure_control(table)
    return table


def _tidy(value):
    """Sums come back with the database's own precision (SQLite: 31.3500000000000); amounts have two decimals."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return value.quantize(CENTS)
    return value


def _suppress_next_smallest(line: list[Cell]) -> Cell | None:
    # Only a cell that aggregates someone protects: hiding an empty (known zero) cell would add no uncertainty.
    candidates = [cell for cell in line if not cell.suppressed and cell.contributors > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda cell: (cell.contributors, cell.value or 0))


def _line_is_exposed(cells: list[Cell], total: Cell, threshold: int) -> bool:
    """A published total gives away a single hidden cell by subtraction, and hidden cells that are all small by
    their bounds (two hidden cells of 1-2 cooperatives summing to 4 must both be 2). Two or more hidden cells, one
    of them of at least `threshold` cooperatives, leave the split uncertain."""
    hidden = [cell for cell in cells if cell.suppressed]
    if total.suppressed or not hidden:
        return False
    return len(hidden) == 1 or not any(cell.contributors >= threshold for cell in hidden)


def apply_disclosure_control(table: Table) -> None:
    """Primary suppression of small cells, then secondary suppression until no total gives a hidden cell away."""
    threshold = table.min_cell_size
    matrix = [list(row.cells) + ([row.total] if row.total else []) for row in table.all_rows]
    for line in matrix:
        for cell in line:
            if 0 < cell.contributors < threshold:
                cell.suppressed, cell.reason = True, "primary"

    lines: list[tuple[list[Cell], Cell]] = []
    has_total_column = table.has_row_totals
    for line in matrix:
        if has_total_column:
            lines.append((line[:-1], line[-1]))
    if table.breakdown != "none":
        body, totals = matrix[:-1], matrix[-1]
        for index, total in enumerate(totals):
            lines.append(([row[index] for row in body], total))

    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if not _line_is_exposed(cells, total, threshold):
                continue
            partner = _suppress_next_smallest(cells) or total
            partner.suppressed, partner.reason = True, "secondary"
            changed = True

    count = 0
    for line in matrix:
        for cell in line:
            if cell.suppressed:
                count += 1
                cell.hidden = not table.is_confidential_view
    table.suppressed_count = count


def published_waves():
    return with_statistics_version(Wave.objects.published()).order_by("reference_year", "opens_on")


def _by_wave_and_column(indicator: Indicator, numbers_by_wave: dict[int, dict]) -> dict:
    """{(wave, column): {"value", "n"}} for the columns with at least one cooperative, as the trend rows use."""
    grouped = {}
    for wave_pk, numbers in numbers_by_wave.items():
        for key, n in numbers.items():
            if key[0] != "cell" or key[1] != indicator.code or key[3] != "n" or not n:
                continue
            column = key[2]
            value = numbers.get(("cell", indicator.code, column, "v")) if indicator.kind == "sum" else n
            grouped[(wave_pk, column)] = {"value": value, "n": n}
    return grouped


def trend(
    *, indicator: Indicator, waves: list[Wave], confidential_view: bool, questions: list[Question] | None = None
) -> list[dict]:
    """Totals of an indicator per wave (the cached whole-wave numbers, one grouped query for the waves missing
    from the cache), with the same suppression as the wave's own table: where the columns add up, the wave page
    publishes their sum, so each row is protected against it."""
    if questions is None:
        questions = indicator_questions(waves)
    grouped = _by_wave_and_column(indicator, wave_totals(waves, questions))
    return _trend_rows(indicator, waves, grouped, confidential_view, questions)


def _column_order(indicator: Indicator, waves, questions: list[Question]) -> list[str]:
    if indicator.kind == "sum":
        return list(indicator.questions)
    years = {wave.pk: wave.reference_year for wave in waves}
    choices = [
        (-years.get(question.wave_id, 0), choice.order, choice.pk, choice.code)
        for question in questions
        if question.code in indicator.questions and question.wave_id in years
        for choice in question.choices.all()
    ]
    return list(dict.fromkeys(code for *_order, code in sorted(choices)))


def _trend_rows(indicator, waves, grouped, confidential_view, questions, *, outside=None) -> list[dict]:
    """Rows of cells per wave. `outside` (for a panel): contributors of the whole wave per cell, so a panel cell is
    hidden when fewer than the threshold cooperatives differ from the published whole-wave cell."""
    threshold = min_cell_size()
    present = {column for _wave, column in grouped}
    columns = [column for column in _column_order(indicator, waves, questions) if column in present]
    rows = []
    for wave in waves:
        cells = []
        for column in columns:
            data = grouped.get((wave.pk, column))
            cell = Cell(value=_tidy(data["value"]) if data else 0, contributors=data["n"] if data else 0)
            difference = None
            if outside is not None:
                whole = outside.get((wave.pk, column))
                difference = (whole["n"] if whole else 0) - cell.contributors
            if 0 < cell.contributors < threshold or (difference is not None and 0 < difference < threshold):
                cell.suppressed, cell.reason = True, "primary"
            cells.append(cell)
        if indicator.columns_add_up:
            published_sum = Cell(value=None, contributors=threshold)
            while _line_is_exposed(cells, published_sum, threshold):
                partner = _suppress_next_smallest(cells)
                if partner is None:
                    break
                partner.suppressed, partner.reason = True, "secondary"
        for cell in cells:
            cell.hidden = cell.suppressed and not confidential_view
        rows.append({"wave": wave, "cells": cells})
    return [{"columns": columns, "rows": rows}]


def panel_numbers(*, earlier: Wave, later: Wave, questions: list[Question]) -> tuple[dict[int, dict], int]:
    """Every indicator's totals per wave over the cooperatives that submitted both waves, and their number:
    through the shared cache, keyed by both waves' statistics versions; else two queries."""
    versions = versions_of([earlier, later])
    wanted = [question for question in questions if question.wave_id in (earlier.pk, later.pk)]
    key = (
        f"monitoring:statistics:{CACHE_FORMAT}:panel:{earlier.pk}:{versions[earlier.pk]}:"
        f"{later.pk}:{versions[later.pk]}:{_signature(wanted)}"
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    both = (
        Response.objects.submitted()
        .filter(wave=earlier)
        .filter(cooperative__in=Response.objects.submitted().filter(wave=later).values("cooperative"))
        .values("cooperative")
    )
    answers = Answer.objects.filter(
        response__wave__in=[earlier, later],
        response__status=Response.Status.SUBMITTED,
        response__cooperative__in=both,
    )
    grouped = _grouped(answers, wanted, F("response__wave"), {})
    result = ({pk: grouped.get(pk, {}) for pk in (earlier.pk, later.pk)}, both.count())
    cache.set(key, result, CACHE_TIMEOUT)
    return result


def panel_trend(
    *,
    indicator: Indicator,
    earlier: Wave,
    later: Wave,
    confidential_view: bool,
    questions: list[Question] | None = None,
) -> dict:
    """The same cooperatives in two consecutive waves: totals of each wave over those that answered both.

    A panel cell that differs from the whole wave's cell by fewer than the threshold cooperatives is hidden, or
    the difference would reveal the cooperatives outside the panel."""
    waves = [earlier, later]
    if questions is None:
        questions = indicator_questions(waves)
    numbers, panel_size = panel_numbers(earlier=earlier, later=later, questions=questions)
    grouped = _by_wave_and_column(indicator, numbers)
    whole = _by_wave_and_column(indicator, wave_totals(waves, questions))
    result = _trend_rows(indicator, waves, grouped, confidential_view, questions, outside=whole)[0]
    result["panel_size"] = panel_size
    return result


def registry_counts() -> dict:
    """Registered (not deleted), active and in-liquidation cooperatives in the registry now, in one query."""
    statuses = Cooperative.Status
    # COUNT(1) rather than COUNT(id): PostgreSQL can then count from an index on status (coop_status_voiv_idx,
    # index-only) instead of reading the whole, wide table.
    return Cooperative.objects.aggregate(
        registered=Count(Value(1), filter=~Q(status=statuses.DELETED)),
        active=Count(Value(1), filter=Q(status=statuses.ACTIVE)),
        liquidation=Count(Value(1), filter=Q(status=statuses.LIQUIDATION)),
    )
