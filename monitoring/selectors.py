"""Reads of the monitoring app, composed per screen or endpoint."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Collate

from cooperatives.filters import POLISH_COLLATION
from cooperatives.models import Cooperative, Membership
from cooperatives.search import is_postgresql
from core.text import data_label, polish_sort_key

from . import rules as consistency
from . import statistics
from .models import Answer, Choice, Question, Response, Wave


@dataclass
class WaveTask:
    """An open wave a representative's cooperative should answer, with its response (None if not started)."""

    wave: Wave
    cooperative: Cooperative
    response: Response | None


def open_waves_for_user(user) -> list[WaveTask]:
    """Open waves for each cooperative the user represents (three queries whatever the numbers)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cooperatives = [m.cooperative for m in Membership.objects.filter(user=user).select_related("cooperative")]
    if not cooperatives:
        return []
    waves = [wave for wave in Wave.objects.open().order_by("closes_on") if wave.is_accepting_answers]
    if not waves:
        return []
    responses = {
        (response.wave_id, response.cooperative_id): response
        for response in Response.objects.filter(wave__in=waves, cooperative__in=cooperatives)
    }
    return [
        WaveTask(wave=wave, cooperative=cooperative, response=responses.get((wave.pk, cooperative.pk)))
        for wave in waves
        for cooperative in sorted(cooperatives, key=lambda c: polish_sort_key(c.name))
    ]


def questionnaire(wave: Wave) -> list[Question]:
    """A wave's questions in order, with their section, condition and choices."""
    return list(
        Question.objects.filter(wave=wave)
        .select_related("section", "condition_question__condition_question")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")), "condition_question__choices"
        )
        .order_by("section__order", "section_id", "order", "pk")
    )


def response_for(*, wave: Wave, cooperative: Cooperative) -> Response | None:
    return Response.objects.filter(wave=wave, cooperative=cooperative).select_related("verified_by").first()


def answer_values(response: Response) -> dict:
    """A response's answers keyed by question code, as the questionnaire form expects them."""
    answers = response.answers.select_related("question").prefetch_related("selected_choices")
    return {answer.question.code: answer.python_value() for answer in answers}


def previous_wave(wave: Wave) -> Wave | None:
    return (
        Wave.objects.filter(reference_year__lt=wave.reference_year)
        .exclude(status=Wave.Status.DRAFT)
        .order_by("-reference_year", "-opens_on")
        .first()
    )


def prefill_values(*, wave: Wave, cooperative: Cooperative, questions: list[Question]) -> dict:
    """Answers from the cooperative's response in the previous wave, for questions with the same code.

    Choices that no longer exist are dropped, so a pre-filled form never carries an invalid answer.
    """
    earlier = previous_wave(wave)
    if earlier is None:
        return {}
    response = Response.objects.filter(wave=earlier, cooperative=cooperative).first()
    if response is None:
        return {}
    by_code = {question.code: question for question in questions}
    values = {}
    for code, value in answer_values(response).items():
        question = by_code.get(code)
        if question is None or value in (None, "", []):
            continue
        if question.type in Question.CHOICE_TYPES:
            allowed = {choice.code for choice in question.choices.all()}
            if isinstance(value, list):
                value = [item for item in value if item in allowed]
            elif value not in allowed:
                continue
        values[code] = value
    return values


def eligible_cooperatives():
    """Cooperatives asked to answer: everyone in the registry not deleted from the KRS."""
    return Cooperative.objects.exclude(status=Cooperative.Status.DELETED)


def response_rates(wave: Wave) -> dict:
    """Overall and per-voivodeship response rates of a wave (two grouped queries)."""
    submitted = Exists(Response.objects.submitted().filter(wave=wave, cooperative=OuterRef("pk")))
    base = eligible_cooperatives().annotate(has_answered=submitted)
    overall = base.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(has_answered=True)))
    per_voivodeship = sorted(
        base.order_by()
        .values("voivodeship_id", "voivodeship__name")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(has_answered=True))),
        key=lambda row: polish_sort_key(row["voivodeship__name"]),
    )
    for row in [overall, *per_voivodeship]:
        row["rate"] = round(100 * row["answered"] / row["total"], 1) if row["total"] else None
    return {"overall": overall, "per_voivodeship": per_voivodeship}


def non_responders(wave: Wave):
    """Cooperatives that have not submitted an answer to the wave (drafts do not count)."""
    return (
        eligible_cooperatives()
        .exclude(pk__in=Response.objects.submitted().filter(wave=wave).values("cooperative"))
        .select_related("voivodeship")
        .order_by(*_polish("voivodeship__name"), *_polish("name"), "pk")
    )


def _polish(field: str) -> list:
    """Order by a name in Polish alphabetical order: the ICU collation on PostgreSQL, plain order on SQLite (as
    the catalogue, cooperatives.filters.order_by_name)."""
    return [Collate(field, POLISH_COLLATION)] if is_postgresql() else [field]


def wave_responses(wave: Wave):
    """Every response of a wave for the staff's list."""
    return (
        Response.objects.filter(wave=wave)
        .select_related("cooperative", "cooperative__voivodeship", "verified_by")
        .order_by(*_polish("cooperative__name"), "pk")
    )


def staff_waves():
    return Wave.objects.annotate(
        responses_submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED))
    ).order_by("-reference_year", "-opens_on")


def _column_labels(waves: list[Wave], indicator, questions: list[Question]) -> dict:
    """Labels of trend columns, from the latest wave's questionnaire."""
    if not waves:
        return {}
    latest = [
        question for question in questions if question.wave_id == waves[-1].pk and question.code in indicator.questions
    ]
    if indicator.kind == "sum":
        return {question.code: data_label(question.text) for question in latest}
    return {choice.code: data_label(choice.label) for question in latest for choice in question.choices.all()}


def statistics_overview(*, confidential_view: bool) -> dict:
    """Published waves, registry counts, each indicator's trend, and the panel of the last two waves.

    The questions are read once for all of it; the numbers come from the shared cache (keyed by each wave's
    statistics version), with one grouped query for the waves missing from it and two for a missing panel."""
    waves = list(statistics.published_waves())
    questions = statistics.indicator_questions(waves) if waves else []
    trends, panels = [], []
    for indicator in statistics.INDICATORS.values():
        trend = statistics.trend(
            indicator=indicator, waves=waves, confidential_view=confidential_view, questions=questions
        )[0]
        trends.append({"indicator": indicator, **trend, "labels": _column_labels(waves, indicator, questions)})
        if len(waves) >= 2:
            panel = statistics.panel_trend(
                indicator=indicator,
                earlier=waves[-2],
                later=waves[-1],
                confidential_view=confidential_view,
                questions=questions,
            )
            panels.append({"indicator": indicator, **panel, "labels": _column_labels(waves, indicator, questions)})
    return {"waves": waves, "registry": statistics.registry_counts(), "trends": trends, "panels": panels}


@dataclass
class BrokenRules:
    response: Response
    violations: list


def responses_breaking_rules(wave: Wave, rules: list) -> list[BrokenRules]:
    """The wave's responses (drafts included) whose stored answers break its consistency rules, e.g. rules added
    after they were saved, by cooperative name. Three queries whatever the numbers: the rules' questions, their
    answers (read in chunks), the offending responses with their cooperatives."""
    codes = {code for rule in rules for code in rule.codes}
    if not codes:
        return []
    questions = list(Question.objects.filter(wave=wave, code__in=codes))
    code_of = {question.pk: question.code for question in questions}
    values: dict[int, dict] = {}
    # questions belong to one wave: their answers need no join (an index range scan per question)
    answers = Answer.objects.filter(question__in=code_of).values_list("response_id", "question_id", "numeric_value")
    for response_id, question_id, number in answers.iterator(chunk_size=10_000):
        values.setdefault(response_id, {})[code_of[question_id]] = number
    broken = {}
    for response_id, answered in values.items():
        if violations := consistency.check(rules, questions, answered):
            broken[response_id] = violations
    responses = Response.objects.filter(pk__in=broken).select_related("cooperative").order_by("cooperative__name", "pk")
    return [BrokenRules(response, broken[response.pk]) for response in responses]
