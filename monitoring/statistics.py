"""Statistics tables of a wave, aggregated in the database, with statistical disclosure control.

A table has one row per group of the breakdown (voivodeship, founder type, PKD section, or one row "ogółem"), one
column per measure, a row of column totals and, where the columns add up, a column of row totals. Every cell knows
how many cooperatives it aggregates and its cell key (the sum of their secret record keys, from the same query).
For everyone but ministry staff every cell is protected by the cell-key method (disclosure.py, docs/decisions/0005):
counts are randomly rounded to multiples of 3, sums of fewer than MONITORING_MIN_CELL_SIZE cooperatives are hidden
and the others get noise; the same cooperatives always get the same perturbation, whichever table, filter, trend or
panel reached them, so differences between tables give noise, never a cooperative's value. Staff see the exact
values, which are confidential.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import CharField, Count, DecimalField, F, FilteredRelation, Prefetch, Q, Sum, Value
from django.db.models.functions import Concat, Left
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, TerritorialUnit
from core.cache import compute_once
from core.text import data_label, polish_sort_key

from . import disclosure, pkd
from .models import Answer, Choice, Question, RegistrySnapshot, Response, Wave
from .versions import versions_of, with_statistics_version

DEFAULT_MIN_CELL_SIZE = 3
TOTAL_KEY = "__total__"
CENTS = Decimal("0.01")
# What a hidden cell shows in pages and exports (the sign statistical offices use for confidential data).
HIDDEN_MARK = "."
# Cached aggregates are keyed by the wave's statistics version, so they never go stale; the timeout only lets an
# unused entry go. CACHE_FORMAT changes when the shape of a cached value does.
CACHE_TIMEOUT = 7 * 24 * 60 * 60
CACHE_FORMAT = "v2"


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
    "pkd_combined": _("sekcja PKD działalności przeważającej (PKD 2007 i PKD 2025 razem)"),
}
PKD_BREAKDOWNS = ("pkd_section", "pkd_combined")


@dataclass
class Cell:
    """A number of a table. `value` and `contributors` are exact; `shown_value` and `shown_contributors` are what
    this viewer gets (set by the protection): the exact ones for staff, the perturbed ones for everyone else."""

    value: Decimal | int | None
    contributors: int
    kind: str = "count"  # "count" (of cooperatives) or "sum" (of answers)
    key: int = 0  # cell key of the count (the contributors' record keys summed)
    sum_key: int = 0  # cell key of the sum (its answers' keys, with the questions' salts)
    atoms: int = 0  # answers a sum adds up (several per cooperative in a row total)
    top: Decimal | int = 0  # the largest single answer (for a row total, the sum of its columns' largest)
    floor: Decimal = disclosure.FLOOR["other"]
    suppressed: bool = False  # not publishable: a sum of fewer than the threshold cooperatives
    hidden: bool = False  # suppressed and the viewer may not see it
    shown_value: Decimal | int | None = None
    shown_contributors: int | None = None

    @property
    def confidential(self) -> bool:
        """Staff see an exact value that would not be published as it is."""
        return self.suppressed and not self.hidden


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
    """A response's group in the breakdown (an expression over Response) and the relation it needs."""
    if breakdown == "voivodeship":
        return F("cooperative__voivodeship_id"), {}
    if breakdown == "founder_type":
        return F("cooperative__founder_type"), {}
    return Value(TOTAL_KEY, output_field=CharField()), {}


def _group_labels(breakdown: str, keys) -> dict[str, str]:
    if breakdown == "voivodeship":
        return {unit.code: unit.name for unit in TerritorialUnit.objects.voivodeships().filter(code__in=keys)}
    if breakdown == "founder_type":
        return {str(value): str(label) for value, label in Cooperative.FounderType.choices}
    if breakdown == "pkd_section":
        return {**pkd.section_labels(), "": str(_("brak danych o PKD"))}
    if breakdown == "pkd_combined":
        return {**pkd.combined_labels(), "": str(_("brak danych o PKD"))}
    return {}


def responses_for(*, wave: Wave, filters: dict):
    """The submitted responses of a wave, narrowed by the registry filters."""
    responses = Response.objects.submitted().filter(wave=wave)
    if filters.get("voivodeship"):
        responses = responses.filter(cooperative__voivodeship_id=filters["voivodeship"])
    if filters.get("founder_type"):
        responses = responses.filter(cooperative__founder_type=filters["founder_type"])
    return responses


def indicator_questions(waves) -> list[Question]:
    """The questions of every indicator in the waves, with their choices (two queries)."""
    return list(
        Question.objects.filter(wave__in=waves, code__in=INDICATOR_CODES)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
        .order_by("order", "pk")
    )


def _columns(questions: list[Question]) -> tuple[dict[str, list[int]], dict[str, dict[str, None]]]:
    """The indicators' question ids per code (one per wave) and the choice codes per code."""
    ids_by_code: dict[str, list[int]] = {}
    choices_by_code: dict[str, dict[str, None]] = {}
    for question in questions:
        ids_by_code.setdefault(question.code, []).append(question.pk)
        choices_by_code.setdefault(question.code, {}).update(dict.fromkeys(c.code for c in question.choices.all()))
    return ids_by_code, choices_by_code


def _grouped(responses, questions: list[Question], group, relation: dict) -> dict:
    """One statement: every indicator's numbers per group of `responses` (`group`: an expression over Response,
    a breakdown's group or the wave), keyed by what they mean: ("cell", indicator, column, part) and ("row",
    indicator, part), where part is "v" (the sum), "n" (the number of cooperatives), "k" (the sum of their record
    keys: the count's cell key) or "t" (the largest answer).

    Each answer is read once and looked at once (docs/performance.md):
    1. the answers to the indicators' questions become one row per response, one column per question code (a
       response has at most one answer per question, answer_one_per_question): the numbers from an index-only
       scan of `answer_question_num_idx`, which carries the value, the chosen codes of single-choice
       questions apart;
    2. those rows are joined to the responses counted, with their group and record key (the registry's tables
       are joined once per response, not once per answer);
    3. per group, every cell is a conditional aggregate over those rows (a few thousand, not every answer).
    A row total over several questions is a plain count (and sum of keys) of the responses with any of them, so
    the same cooperatives always give the same key, in every table and in the number of responses."""
    ids_by_code, choices_by_code = _columns(questions)
    codes = [code for code in INDICATOR_CODES if code in ids_by_code]
    if not codes:
        return {}
    sum_codes = {code for indicator in INDICATORS.values() if indicator.kind == "sum" for code in indicator.questions}
    numeric_ids = [pk for code in codes if code in sum_codes for pk in ids_by_code[code]]
    choice_ids = [pk for code in codes if code not in sum_codes for pk in ids_by_code[code]]
    answers = Answer.objects.annotate(rid=F("response_id"), q=F("question_id"))
    parts = []
    if numeric_ids:
        numbers = answers.filter(question_id__in=numeric_ids, numeric_value__isnull=False)
        parts.append(numbers.annotate(v=F("numeric_value"), t=Value("", output_field=CharField())))
    if choice_ids:
        value = Value(None, output_field=DecimalField(max_digits=18, decimal_places=2))
        parts.append(answers.filter(question_id__in=choice_ids).annotate(v=value, t=F("text_value")))
    parts = [part.order_by().values("rid", "q", "v", "t") for part in parts]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    union_sql, union_params = union.query.sql_with_params()
    counted = (
        responses.annotate(**relation)
        .annotate(group=group, rid=F("pk"), rk=F("record_key"))
        .order_by()
        .values("group", "rid", "rk")
    )
    counted_sql, counted_params = counted.query.sql_with_params()

    database = connections[counted.db]
    columns = {code: f"c{index}" for index, code in enumerate(codes)}
    pivot, pivot_params = [], []
    for code, column in columns.items():
        ids = ids_by_code[code]
        value = "v" if code in sum_codes else "t"
        pivot.append(
            f"MAX(CASE WHEN answers.q IN ({', '.join(['%s'] * len(ids))}) THEN answers.{value} END) AS {column}"
        )
        pivot_params += ids
    per_response = f"SELECT answers.rid AS rid, {', '.join(pivot)} FROM ({union_sql}) answers GROUP BY answers.rid"
    specs = _outer_specs(columns, choices_by_code)
    group_column = f"counted.{database.ops.quote_name('group')}"
    sql = (
        f"SELECT {group_column}, {', '.join(sql for _key, sql, _params in specs)} "
        f"FROM ({counted_sql}) counted INNER JOIN ({per_response}) per_response ON per_response.rid = counted.rid "
        f"GROUP BY {group_column}"
    )
    params = [
        *(param for _key, _sql, spec_params in specs for param in spec_params),
        *counted_params,
        *pivot_params,
        *union_params,
    ]
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        row[0]: {key: _number(key, value) for (key, _sql, _params), value in zip(specs, row[1:], strict=True)}
        for row in rows
    }


def _outer_specs(pivot: dict[str, str], choices_by_code: dict) -> list[tuple[tuple, str, list]]:
    """(key, SQL, parameters) of every number, over the rows of one response each (`pivot`: the column of each
    question code); portable SQL (CASE rather than FILTER), so SQLite runs it too."""
    rk = "counted.rk"
    specs = []
    for indicator in INDICATORS.values():
        columns = {code: f"per_response.{pivot[code]}" for code in indicator.questions if code in pivot}
        if not columns:
            continue
        if indicator.kind == "sum":
            for code, column in columns.items():
                specs += [
                    (("cell", indicator.code, code, "v"), f"SUM({column})", []),
                    (("cell", indicator.code, code, "n"), f"COUNT({column})", []),
                    (("cell", indicator.code, code, "k"), f"SUM(CASE WHEN {column} IS NOT NULL THEN {rk} END)", []),
                    (("cell", indicator.code, code, "t"), f"MAX(ABS({column}))", []),
                ]
            answered = " OR ".join(f"{column} IS NOT NULL" for column in columns.values())
            answered_params = []
        else:
            choices = dict.fromkeys(choice for code in columns for choice in choices_by_code[code])
            for choice in choices:
                chosen = " OR ".join(f"{column} = %s" for column in columns.values())
                chosen_params = [choice] * len(columns)
                specs += [
                    (("cell", indicator.code, choice, "n"), f"COUNT(CASE WHEN {chosen} THEN 1 END)", chosen_params),
                    (("cell", indicator.code, choice, "k"), f"SUM(CASE WHEN {chosen} THEN {rk} END)", chosen_params),
                ]
            answered = " OR ".join(f"{column} <> %s" for column in columns.values())
            answered_params = [""] * len(columns)
        specs += [
            (("row", indicator.code, "n"), f"COUNT(CASE WHEN {answered} THEN 1 END)", answered_params),
            (("row", indicator.code, "k"), f"SUM(CASE WHEN {answered} THEN {rk} END)", answered_params),
        ]
    return specs


def _number(key: tuple, value):
    """Sums and largest answers as decimals (SQLite gives floats, as the ORM's own conversion starts from),
    counts and keys as integers."""
    if value is None:
        return None
    if key[-1] in ("v", "t"):
        return value if isinstance(value, Decimal) else Decimal(str(value))
    return int(value)


def _merge(target: dict, numbers: dict) -> None:
    """Add a group's numbers into another's (disjoint groups): sums, counts and keys add up, the largest answer is
    the larger one."""
    for name, value in numbers.items():
        if value is None:
            continue
        if name[-1] == "t":
            target[name] = max(target.get(name) or 0, value)
        else:
            target[name] = target.get(name, 0) + value


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

        def compute() -> dict[int, dict]:
            responses = Response.objects.submitted().filter(wave__in=missing)
            wanted = [question for wave in missing for question in by_wave.get(wave.pk, [])]
            grouped = _grouped(responses, wanted, F("wave_id"), {})
            return {wave.pk: grouped.get(wave.pk, {}) for wave in missing}

        # One computation at a time for the same missing entries (core.cache.compute_once): a cold statistics
        # index hit by many requests at once runs its grouped query once while the others wait for it.
        missing_keys = ",".join(sorted(keys[wave.pk] for wave in missing))
        herd_key = "monitoring:statistics:missing:" + hashlib.blake2b(missing_keys.encode(), digest_size=16).hexdigest()
        fresh = compute_once(herd_key, compute, CACHE_TIMEOUT)
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
    responses = responses_for(wave=wave, filters=filters)
    if breakdown in PKD_BREAKDOWNS:
        return _pkd_section_numbers(responses, questions, combined=breakdown == "pkd_combined")
    group, relation = _group_expression(breakdown)
    return _grouped(responses, questions, group, relation)


def _pkd_section_numbers(responses, questions: list[Question], *, combined: bool = False) -> dict:
    """Grouped in SQL by the main activity's version and division (its first two digits), then merged into
    sections (or the groups of sections of both versions, pkd.combined_key) here: cheaper than evaluating the
    sections' CASE for every answer, and exact, as every number is a sum, a count, a sum of keys or a maximum over
    disjoint divisions."""
    relation = {
        "main_activity": FilteredRelation("cooperative__activities", condition=Q(cooperative__activities__is_main=True))
    }
    group = Concat(F("main_activity__version"), Value("|"), Left("main_activity__code", 2), output_field=CharField())
    sections: dict[str, dict] = {}
    for key, numbers in _grouped(responses, questions, group, relation).items():
        version, _separator, division = (key or "").partition("|")
        letter = pkd.section_for(division, version) if division else None
        section = pkd.section_key(version, letter) if letter else ""
        if combined and section:
            section = pkd.combined_key(section)
        _merge(sections.setdefault(section, {}), numbers)
    return sections


def _count_cell(n, key) -> Cell:
    return Cell(value=n or 0, contributors=n or 0, kind="count", key=int(key or 0))


def _sum_cell(numbers: dict, indicator: Indicator, code: str, floor: Decimal) -> Cell:
    n = numbers.get(("cell", indicator.code, code, "n")) or 0
    key = int(numbers.get(("cell", indicator.code, code, "k")) or 0)
    return Cell(
        value=_tidy(numbers.get(("cell", indicator.code, code, "v"))),
        contributors=n,
        kind="sum",
        key=key,
        sum_key=disclosure.answers_key(key, n, code),
        atoms=n,
        top=numbers.get(("cell", indicator.code, code, "t")) or 0,
        floor=floor,
    )


def _row_sum_cell(cells: list[Cell], n, key) -> Cell:
    """A row total of sums: its answers are those of its cells, so its keys and size come from theirs."""
    return Cell(
        value=_tidy(sum((cell.value or 0 for cell in cells), Decimal(0))),
        contributors=n or 0,
        kind="sum",
        key=int(key or 0),
        sum_key=sum(cell.sum_key for cell in cells) % disclosure.KEY_MODULUS,
        atoms=sum(cell.atoms for cell in cells),
        top=sum((cell.top for cell in cells), Decimal(0)),
        floor=max((cell.floor for cell in cells), default=disclosure.FLOOR["other"]),
    )


def _floors(questions: list[Question]) -> dict[str, Decimal]:
    return {
        question.code: disclosure.FLOOR["amount" if question.unit.strip() == "zł" else "other"]
        for question in questions
    }


def _row_cells(numbers: dict, indicator: Indicator, column_codes: list[str], floors: dict) -> tuple[list, Cell]:
    """A group's cells and row total, with the exact numbers and keys."""
    code = indicator.code
    row_n, row_key = numbers.get(("row", code, "n")) or 0, numbers.get(("row", code, "k"))
    if indicator.kind == "count":
        cells = [
            _count_cell(numbers.get(("cell", code, column, "n")), numbers.get(("cell", code, column, "k")))
            for column in column_codes
        ]
        return cells, _count_cell(row_n, row_key)
    cells = [
        _sum_cell(numbers, indicator, column, floors.get(column, disclosure.FLOOR["other"])) for column in column_codes
    ]
    return cells, _row_sum_cell(cells, row_n, row_key)


def _table(wave, indicator, breakdown, filters, confidential_view, all_questions, numbers, labels=None) -> Table:
    questions = [question for question in all_questions if question.code in indicator.questions]
    if indicator.kind == "sum":
        by_code = {question.code: question for question in questions}
        columns = [(code, data_label(by_code[code].text)) for code in indicator.questions if code in by_code]
    else:
        columns = [
            (choice.code, data_label(choice.label)) for question in questions for choice in question.choices.all()
        ]
    column_codes = [code for code, _label in columns]
    floors = _floors(questions)
    code = indicator.code

    groups = {key: data for key, data in numbers.items() if data.get(("row", code, "n"))}
    # The total row is the groups merged: a breakdown's groups partition the responses (one voivodeship, one
    # founder type, at most one main activity each), so sums, counts and keys add up.
    merged: dict = {}
    for data in groups.values():
        _merge(merged, data)
    if labels is None:
        labels = _group_labels(breakdown, list(groups)) if breakdown != "none" else {}
    rows = []
    if breakdown != "none":
        for key, data in groups.items():
            cells, total = _row_cells(data, indicator, column_codes, floors)
            rows.append(
                Row(
                    key=key,
                    label=labels.get(key, key),
                    cells=cells,
                    total=total if indicator.columns_add_up else None,
                )
            )
        rows.sort(key=lambda row: (row.key == "", polish_sort_key(str(row.label))))
    cells, total = _row_cells(merged, indicator, column_codes, floors)
    total_row = Row(
        key=TOTAL_KEY,
        label=str(_("Ogółem")),
        cells=cells,
        total=total if indicator.columns_add_up else None,
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
    protect_table(table)
    return table


def _tidy(value):
    """Sums come back with the database's own precision (SQLite: 31.3500000000000); amounts have two decimals."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return value.quantize(CENTS)
    return value


def protect_cell(cell: Cell, *, threshold: int, confidential_view: bool) -> None:
    """Set what the viewer gets: staff the exact numbers; everyone else a count randomly rounded to a multiple of
    3, a sum of fewer than `threshold` cooperatives hidden, any other sum with noise (disclosure.py)."""
    cell.suppressed = cell.kind == "sum" and 0 < cell.contributors < threshold
    if confidential_view:
        cell.hidden = False
        cell.shown_value, cell.shown_contributors = cell.value, cell.contributors
        return
    cell.hidden = cell.suppressed
    if cell.hidden:
        cell.shown_value = cell.shown_contributors = None
        return
    cell.shown_contributors = disclosure.round_count(cell.contributors, cell.key)
    if cell.kind == "count":
        cell.shown_value = cell.shown_contributors
    elif cell.contributors == 0:
        cell.shown_value = 0  # nobody answered: nothing to protect
    else:
        cell.shown_value = disclosure.perturb_sum(cell.value, cell.atoms, cell.sum_key, cell.top, floor=cell.floor)


def protect_table(table: Table) -> None:
    """The cell-key method, cell by cell: every cell's perturbation depends only on its own contributors, so a
    table needs no protection of its cells against each other (no secondary suppression)."""
    count = 0
    for row in table.all_rows:
        for cell in [*row.cells, row.total] if row.total else row.cells:
            protect_cell(cell, threshold=table.min_cell_size, confidential_view=table.is_confidential_view)
            count += cell.suppressed
    table.suppressed_count = count


def perturbed_count(numbers: dict, *, confidential_view: bool) -> int:
    """A number of responses ({"n", "k"}: their count and the sum of their record keys) as this viewer may see it:
    the same rounding as any table cell of the same cooperatives."""
    if confidential_view:
        return numbers["n"] or 0
    return disclosure.round_count(numbers["n"] or 0, numbers["k"])


def responses_submitted(wave: Wave, *, confidential_view: bool) -> int:
    """How many cooperatives submitted the wave (one query), rounded like any count for the public."""
    numbers = wave.responses.submitted().aggregate(n=Count("pk"), k=Sum("record_key"))
    return perturbed_count(numbers, confidential_view=confidential_view)


def published_waves():
    return with_statistics_version(Wave.objects.published()).order_by("reference_year", "opens_on")


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


def trend(
    *, indicator: Indicator, waves: list[Wave], confidential_view: bool, questions: list[Question] | None = None
) -> list[dict]:
    """Totals of an indicator per wave (the cached whole-wave numbers, one grouped query for the waves missing
    from the cache): the same cells, with the same perturbation, as the total row of each wave's own table."""
    if questions is None:
        questions = indicator_questions(waves)
    return _trend_rows(indicator, waves, wave_totals(waves, questions), confidential_view, questions)


def _trend_rows(indicator, waves, numbers_by_wave: dict[int, dict], confidential_view, questions) -> list[dict]:
    """Rows of cells per wave, protected cell by cell like a table's."""
    threshold = min_cell_size()
    floors = _floors(questions)
    present = {
        key[2]
        for numbers in numbers_by_wave.values()
        for key, n in numbers.items()
        if key[0] == "cell" and key[1] == indicator.code and key[3] == "n" and n
    }
    columns = [column for column in _column_order(indicator, waves, questions) if column in present]
    rows = []
    for wave in waves:
        cells, _total = _row_cells(numbers_by_wave.get(wave.pk, {}), indicator, columns, floors)
        for cell in cells:
            protect_cell(cell, threshold=threshold, confidential_view=confidential_view)
        rows.append({"wave": wave, "cells": cells})
    return [{"columns": columns, "rows": rows}]


def panel_numbers(*, earlier: Wave, later: Wave, questions: list[Question]) -> tuple[dict[int, dict], dict]:
    """Every indicator's totals per wave over the cooperatives that submitted both waves, and their number (with
    the sum of their later responses' record keys): through the shared cache, keyed by both waves' statistics
    versions; else two queries."""
    versions = versions_of([earlier, later])
    wanted = [question for question in questions if question.wave_id in (earlier.pk, later.pk)]
    key = (
        f"monitoring:statistics:{CACHE_FORMAT}:panel:{earlier.pk}:{versions[earlier.pk]}:"
        f"{later.pk}:{versions[later.pk]}:{_signature(wanted)}"
    )

    def compute():
        return _panel_numbers(earlier=earlier, later=later, wanted=wanted)

    return compute_once(key, compute, CACHE_TIMEOUT)


def _panel_numbers(*, earlier: Wave, later: Wave, wanted: list[Question]) -> tuple[dict[int, dict], dict]:
    both = Response.objects.submitted().filter(
        wave=later, cooperative__in=Response.objects.submitted().filter(wave=earlier).values("cooperative")
    )
    responses = Response.objects.submitted().filter(
        wave__in=[earlier, later], cooperative__in=both.values("cooperative")
    )
    grouped = _grouped(responses, wanted, F("wave_id"), {})
    size = both.aggregate(n=Count("pk"), k=Sum("record_key"))
    return ({pk: grouped.get(pk, {}) for pk in (earlier.pk, later.pk)}, size)


def panel_trend(
    *,
    indicator: Indicator,
    earlier: Wave,
    later: Wave,
    confidential_view: bool,
    questions: list[Question] | None = None,
) -> dict:
    """The same cooperatives in two consecutive waves: totals of each wave over those that answered both.

    The panel's cells are cells of their own cooperatives, with their own keys: a whole wave's cell minus a panel
    cell is a difference of two independently perturbed numbers, like any other."""
    waves = [earlier, later]
    if questions is None:
        questions = indicator_questions(waves)
    numbers, size = panel_numbers(earlier=earlier, later=later, questions=questions)
    result = _trend_rows(indicator, waves, numbers, confidential_view, questions)[0]
    result["panel_size"] = perturbed_count(size, confidential_view=confidential_view)
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


def wave_registry_counts(wave: Wave) -> dict:
    """The registry's counts for a wave's page: its snapshot when it closed, else (still open) today's (one query,
    none when the wave came with its snapshot: select_related("registry_snapshot"))."""
    try:
        snapshot = wave.registry_snapshot
    except RegistrySnapshot.DoesNotExist:
        snapshot = None
    if snapshot is None:
        return {**registry_counts(), "taken_at": None}
    return {
        "registered": snapshot.registered,
        "active": snapshot.active,
        "liquidation": snapshot.liquidation,
        "taken_at": snapshot.taken_at,
    }


def method_description(*, confidential: bool) -> str:
    """How the numbers are protected, in plain Polish, without the secret parameters (page, API, exports)."""
    if confidential:
        return str(
            _(
                "Dane poufne: dokładne wartości z ankiet, widoczne tylko dla pracowników ministerstwa. Nie wolno ich "
                "publikować ani przekazywać dalej. Publicznie pokazywane są wartości chronione: liczby spółdzielni "
                "zaokrąglone losowo do wielokrotności 3, sumy z niewielkim szumem, a sumy dotyczące mniej niż "
                "%(n)s spółdzielni ukryte."
            )
            % {"n": min_cell_size()}
        )
    return str(
        _(
            "Aby z tabel nie dało się odczytać danych pojedynczej spółdzielni, wartości są lekko zmienione. Liczby "
            "spółdzielni są zaokrąglane losowo do wielokrotności 3, a do sum (zatrudnienia, członków, przychodów) "
            "dodawany jest niewielki szum, zależny od wielkości największej wartości w komórce. Sumy dotyczące mniej "
            "niż %(n)s spółdzielni nie są pokazywane. Ta sama grupa spółdzielni ma zawsze tę samą zmianę, w każdej "
            "tabeli i przy każdym filtrze, więc odejmowanie tabel od siebie daje tylko szum. Dlatego sumy wierszy i "
            "kolumn mogą się nieznacznie różnić od sumy pokazanych komórek."
        )
        % {"n": min_cell_size()}
    )
