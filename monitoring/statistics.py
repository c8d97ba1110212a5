"""Statistics tables of a wave, aggregated in the database, with statistical disclosure control.

A table has one row per group of the breakdown (voivodeship, founder type, PKD section, or one row "ogółem"), one
column per measure, a row of column totals and, where the columns add up, a column of row totals. Every cell knows
how many cooperatives it aggregates; for non-staff a cell of fewer than MONITORING_MIN_CELL_SIZE cooperatives is
suppressed (primary); in any row or column with a published total whose hidden cells are all small, the
next-smallest cell is hidden too (secondary), so the small values can be recovered neither by subtraction nor from
their bounds. Staff see every value, with the would-be suppressed ones marked
confidential.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Count, F, FilteredRelation, Q, Sum, Value
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, TerritorialUnit

from . import pkd
from .models import Answer, Choice, Question, Response, Wave

DEFAULT_MIN_CELL_SIZE = 3
TOTAL_KEY = "__total__"
CENTS = Decimal("0.01")


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


def _aggregates(indicator: Indicator):
    contributors = Count("response", distinct=True)
    if indicator.kind == "sum":
        return {"value": Sum("numeric_value"), "n": contributors}, F("question__code")
    return {"value": contributors, "n": contributors}, F("text_value")


def build_table(*, wave: Wave, indicator: Indicator, breakdown: str, filters: dict, confidential_view: bool) -> Table:
    """Aggregate one indicator of one wave in the database (four grouped queries) and apply disclosure control."""
    questions = list(
        Question.objects.filter(wave=wave, code__in=indicator.questions).prefetch_related("choices").order_by("order")
    )
    if indicator.kind == "sum":
        by_code = {question.code: question for question in questions}
        columns = [(code, by_code[code].text) for code in indicator.questions if code in by_code]
        base = answers_for(wave=wave, filters=filters).filter(numeric_value__isnull=False)
    else:
        columns = [(choice.code, choice.label) for question in questions for choice in question.choices.all()]
        base = answers_for(wave=wave, filters=filters).exclude(text_value="")
    base = base.filter(question__code__in=indicator.questions)
    aggregates, column_expression = _aggregates(indicator)
    group, relation = _group_expression(breakdown)
    grouped = base.annotate(**relation).annotate(group=group, column=column_expression).order_by()

    cells = {(r["group"], r["column"]): r for r in grouped.values("group", "column").annotate(**aggregates)}
    row_totals = {r["group"]: r for r in grouped.values("group").annotate(**aggregates)}
    column_totals = {r["column"]: r for r in grouped.values("column").annotate(**aggregates)}
    grand = base.aggregate(**aggregates)

    def cell(data) -> Cell:
        if not data:
            return Cell(value=0, contributors=0)
        return Cell(value=_tidy(data["value"]), contributors=data["n"])

    column_codes = [code for code, _label in columns]
    labels = _group_labels(breakdown, list(row_totals))
    rows = []
    if breakdown != "none":
        for key in row_totals:
            rows.append(
                Row(
                    key=key,
                    label=labels.get(key, key),
                    cells=[cell(cells.get((key, code))) for code in column_codes],
                    total=cell(row_totals.get(key)) if indicator.columns_add_up else None,
                )
            )
        rows.sort(key=lambda row: (row.key == "", str(row.label)))
    total_row = Row(
        key=TOTAL_KEY,
        label=str(_("Ogółem")),
        cells=[cell(column_totals.get(code)) for code in column_codes],
        total=cell(grand) if indicator.columns_add_up else None,
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
    return Wave.objects.published().order_by("reference_year", "opens_on")


def _with_values(answers, indicator: Indicator):
    if indicator.kind == "count":
        return answers.exclude(text_value="")
    return answers.filter(numeric_value__isnull=False)


def _grouped_by_wave(indicator: Indicator, answers) -> dict:
    aggregates, column_expression = _aggregates(indicator)
    answers = answers.filter(response__status=Response.Status.SUBMITTED, question__code__in=indicator.questions)
    return {
        (row["response__wave"], row["column"]): row
        for row in _with_values(answers, indicator)
        .annotate(column=column_expression)
        .order_by()
        .values("response__wave", "column")
        .annotate(**aggregates)
    }


def trend(*, indicator: Indicator, waves: list[Wave], confidential_view: bool) -> list[dict]:
    """Totals of an indicator per wave (one grouped query), with the same suppression as the wave's own table:
    where the columns add up, the wave page publishes their sum, so each row is protected against it."""
    grouped = _grouped_by_wave(indicator, Answer.objects.filter(response__wave__in=waves))
    return _trend_rows(indicator, waves, grouped, confidential_view)


def _column_order(indicator: Indicator, waves) -> list[str]:
    if indicator.kind == "sum":
        return list(indicator.questions)
    return list(
        dict.fromkeys(
            Choice.objects.filter(question__wave__in=waves, question__code__in=indicator.questions)
            .order_by("-question__wave__reference_year", "order", "pk")
            .values_list("code", flat=True)
        )
    )


def _trend_rows(indicator, waves, grouped, confidential_view, *, outside=None) -> list[dict]:
    """Rows of cells per wave. `outside` (for a panel): contributors of the whole wave per cell, so a panel cell is
    hidden when fewer than the threshold cooperatives differ from the published whole-wave cell."""
    threshold = min_cell_size()
    present = {column for _wave, column in grouped}
    columns = [column for column in _column_order(indicator, waves) if column in present]
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


def panel_trend(*, indicator: Indicator, earlier: Wave, later: Wave, confidential_view: bool) -> dict:
    """The same cooperatives in two consecutive waves: totals of each wave over those that answered both.

    A panel cell that differs from the whole wave's cell by fewer than the threshold cooperatives is hidden, or
    the difference would reveal the cooperatives outside the panel."""
    both = (
        Response.objects.submitted()
        .filter(wave=earlier)
        .filter(cooperative__in=Response.objects.submitted().filter(wave=later).values("cooperative"))
        .values("cooperative")
    )
    waves = [earlier, later]
    grouped = _grouped_by_wave(
        indicator, Answer.objects.filter(response__wave__in=waves, response__cooperative__in=both)
    )
    whole = _grouped_by_wave(indicator, Answer.objects.filter(response__wave__in=waves))
    result = _trend_rows(indicator, waves, grouped, confidential_view, outside=whole)[0]
    result["panel_size"] = both.count()
    return result


def registry_counts() -> dict:
    """Registered (not deleted), active and in-liquidation cooperatives in the registry now, in one query."""
    statuses = Cooperative.Status
    return Cooperative.objects.aggregate(
        registered=Count("pk", filter=~Q(status=statuses.DELETED)),
        active=Count("pk", filter=Q(status=statuses.ACTIVE)),
        liquidation=Count("pk", filter=Q(status=statuses.LIQUIDATION)),
    )
