"""Writes of the monitoring app: questionnaires, waves, responses and their verification."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from core.concurrency import check_version

from .forms import is_empty
from .models import Answer, Choice, Question, RegistrySnapshot, Response, Rule, Section, Wave
from .statistics import registry_counts
from .versions import bump_statistics_version


class QuestionnaireFrozen(ValidationError):
    pass


class WaveNotAcceptingAnswers(ValidationError):
    pass


def ensure_questionnaire_editable(wave: Wave) -> None:
    """A questionnaire can change only while its wave is a draft: answers refer to its questions."""
    if wave.is_questionnaire_frozen:
        raise QuestionnaireFrozen(
            _("Kwestionariusz fali „%(wave)s” jest zamrożony, bo fala została otwarta. Utwórz nową falę z kopii.")
            % {"wave": wave.name}
        )


@transaction.atomic
def section_create(*, wave: Wave, title: str, order: int, description: str = "") -> Section:
    ensure_questionnaire_editable(wave)
    return Section.objects.create(wave=wave, title=title, order=order, description=description)


@transaction.atomic
def question_create(
    *,
    section: Section,
    code: str,
    text: str,
    type: str,
    order: int,
    is_required: bool = False,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    unit: str = "",
    help_text: str = "",
    condition_question: Question | None = None,
    condition_value: str = "",
    choices: list[tuple[str, str]] = (),
) -> Question:
    """Add a question (with its choices as (code, label) pairs) to a draft wave's questionnaire."""
    ensure_questionnaire_editable(section.wave)
    question = Question(
        wave=section.wave,
        section=section,
        code=code,
        text=text,
        type=type,
        order=order,
        is_required=is_required,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        help_text=help_text,
        condition_question=condition_question,
        condition_value=condition_value,
    )
    question.full_clean()
    question.save()
    Choice.objects.bulk_create(
        Choice(question=question, code=choice_code, label=label, order=index)
        for index, (choice_code, label) in enumerate(choices)
    )
    return question


@transaction.atomic
def rule_create(
    *,
    wave: Wave,
    kind: str,
    parts: list[str],
    whole: list[str],
    share_question: str = "",
    tolerance: Decimal = Decimal(0),
    order: int = 0,
) -> Rule:
    """Declare a consistency rule between the wave's numeric answers (any status: a rule changes no answer; the
    staff's report lists responses that break a rule added after they were saved)."""
    rule = Rule(
        wave=wave,
        kind=kind,
        parts=" ".join(parts),
        whole=" ".join(whole),
        share_question=share_question,
        tolerance=tolerance,
        order=order,
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def wave_copy(*, source: Wave, name: str, reference_year: int, opens_on, closes_on) -> Wave:
    """A new draft wave whose questionnaire is a copy of the source's (codes kept, so answers compare)."""
    wave = Wave(name=name, reference_year=reference_year, opens_on=opens_on, closes_on=closes_on)
    wave.full_clean()
    wave.save()
    section_map = {}
    for section in source.sections.all():
        section_map[section.pk] = Section.objects.create(
            wave=wave, title=section.title, order=section.order, description=section.description
        )
    question_map = {}
    source_questions = list(source.questions.select_related("condition_question").prefetch_related("choices"))
    for question in source_questions:
        copy = Question.objects.create(
            wave=wave,
            section=section_map[question.section_id],
            code=question.code,
            text=question.text,
            type=question.type,
            order=question.order,
            is_required=question.is_required,
            min_value=question.min_value,
            max_value=question.max_value,
            unit=question.unit,
            help_text=question.help_text,
        )
        question_map[question.pk] = copy
        Choice.objects.bulk_create(
            Choice(question=copy, code=choice.code, label=choice.label, order=choice.order)
            for choice in question.choices.all()
        )
    for question in source_questions:
        if question.condition_question_id:
            copy = question_map[question.pk]
            copy.condition_question = question_map[question.condition_question_id]
            copy.condition_value = question.condition_value
            copy.save(update_fields=["condition_question", "condition_value"])
    Rule.objects.bulk_create(
        Rule(
            wave=wave,
            order=rule.order,
            kind=rule.kind,
            parts=rule.parts,
            whole=rule.whole,
            share_question=rule.share_question,
            tolerance=rule.tolerance,
        )
        for rule in source.rules.all()
    )
    return wave


@transaction.atomic
def registry_snapshot_take(wave: Wave) -> RegistrySnapshot:
    """Keep the registry's counts of the moment a wave closes (once: a wave reopened and closed again keeps its
    first snapshot, the registry its answers were collected against)."""
    snapshot, _created = RegistrySnapshot.objects.get_or_create(
        wave=wave, defaults={"taken_at": timezone.now(), **registry_counts()}
    )
    return snapshot


def wave_set_status(*, wave: Wave, status: str) -> Wave:
    """Move a wave through draft -> open -> closed -> published (a step back is allowed except to draft)."""
    if status == Wave.Status.DRAFT and wave.status != Wave.Status.DRAFT and wave.responses.exists():
        raise ValidationError(_("Fali z odpowiedziami nie można przywrócić do przygotowania."))
    if status == Wave.Status.OPEN and not wave.questions.exists():
        raise ValidationError(_("Nie można otworzyć fali bez pytań."))
    wave.status = status
    wave.save(update_fields=["status", "updated_at"])
    if status in (Wave.Status.CLOSED, Wave.Status.PUBLISHED):
        registry_snapshot_take(wave)  # the registry as it was when the answers stopped coming
    # What is published changes with the status: cached aggregates of the wave start afresh.
    bump_statistics_version(wave.pk)
    return wave


def _assign(answer: Answer, question: Question, value) -> None:
    answer.numeric_value, answer.bool_value, answer.text_value = None, None, ""
    if question.type in Question.NUMERIC_TYPES:
        answer.numeric_value = Decimal(value).quantize(Decimal("0.01"))
    elif question.type == Question.Type.YES_NO:
        answer.bool_value = bool(value)
    elif question.type != Question.Type.MULTIPLE_CHOICE:
        answer.text_value = str(value)


def _column_values(answer: Answer):
    return (answer.numeric_value, answer.bool_value, answer.text_value)


@transaction.atomic
def response_save(
    *,
    wave: Wave,
    cooperative: Cooperative,
    questions: list[Question],
    values: dict,
    user,
    submit: bool,
    as_staff: bool = False,
    expected_version: int | None = None,
    source: str = Response.Source.ONLINE,
) -> tuple[Response, bool]:
    """Store a cooperative's validated answers (keyed by question code); returns (response, changed).

    Representatives may write only while the wave accepts answers; staff also after it closes, until it is
    published. A save based on an older version of the response is refused (core.concurrency.StaleVersionError);
    `expected_version=None` (the staff import) skips that check. Saving the same answers again changes
    nothing (the import relies on it).
    """
    if not (wave.is_accepting_answers or (as_staff and wave.status in (Wave.Status.OPEN, Wave.Status.CLOSED))):
        raise WaveNotAcceptingAnswers(_("Fala „%(wave)s” nie przyjmuje już odpowiedzi.") % {"wave": wave.name})
    response, created = Response.objects.select_for_update().get_or_create(
        wave=wave, cooperative=cooperative, defaults={"source": source}
    )
    if not created:
        check_version(
            response,
            expected_version,
            message=_("Ktoś w międzyczasie zmienił tę ankietę. Otwórz ją ponownie, aby zobaczyć aktualne odpowiedzi."),
        )
    existing = {answer.question_id: answer for answer in response.answers.all()}
    choice_through = Answer.selected_choices.through
    existing_choices: dict[int, set[int]] = {}
    for answer_id, choice_id in choice_through.objects.filter(answer__response=response).values_list(
        "answer_id", "choice_id"
    ):
        existing_choices.setdefault(answer_id, set()).add(choice_id)
    choice_ids = {
        (choice.question_id, choice.code): choice.pk
        for choice in Choice.objects.filter(question__in=[q for q in questions if q.type in Question.CHOICE_TYPES])
    }

    to_create, to_update, to_delete, wanted_choices = [], [], [], {}
    for question in questions:
        value = values.get(question.code)
        answer = existing.get(question.pk)
        if is_empty(value):
            if answer is not None:
                to_delete.append(answer.pk)
            continue
        if answer is None:
            answer = Answer(response=response, question=question)
            _assign(answer, question, value)
            to_create.append(answer)
        else:
            before = _column_values(answer)
            _assign(answer, question, value)
            if _column_values(answer) != before:
                to_update.append(answer)
        if question.type == Question.Type.MULTIPLE_CHOICE:
            wanted_choices[question.pk] = {choice_ids[(question.pk, code)] for code in value}

    Answer.objects.bulk_create(to_create)
    if to_update:
        Answer.objects.bulk_update(to_update, ["numeric_value", "bool_value", "text_value"])
    if to_delete:
        Answer.objects.filter(pk__in=to_delete).delete()
    answers_by_question = {**existing, **{answer.question_id: answer for answer in to_create}}
    choices_changed = False
    new_links = []
    for question_id, wanted in wanted_choices.items():
        answer = answers_by_question[question_id]
        current = existing_choices.get(answer.pk, set())
        if wanted != current:
            choices_changed = True
            choice_through.objects.filter(answer=answer).exclude(choice_id__in=wanted).delete()
            new_links += [choice_through(answer_id=answer.pk, choice_id=c) for c in wanted - current]
    choice_through.objects.bulk_create(new_links)

    changed = bool(created or to_create or to_update or to_delete or choices_changed)
    update_fields = []
    if submit and response.status != Response.Status.SUBMITTED:
        response.status = Response.Status.SUBMITTED
        response.submitted_at = timezone.now()
        response.submitted_by = user if getattr(user, "is_authenticated", False) else None
        update_fields += ["status", "submitted_at", "submitted_by"]
    if (changed or update_fields) and response.verification == Response.Verification.NEEDS_CORRECTION and submit:
        # A corrected response goes back to the verifier's queue.
        response.verification = Response.Verification.PENDING
        update_fields.append("verification")
    if changed and not created and source != response.source:
        response.source = source
        update_fields.append("source")
    if update_fields or (changed and not created):
        response.version += 1
        response.save(update_fields=[*update_fields, "version", "updated_at"])
        changed = True
    return response, changed


@transaction.atomic
def response_verify(*, response: Response, user, verification: str, comment: str = "") -> Response:
    """Staff mark a submitted response verified or needing correction; the representative sees the comment."""
    if response.status != Response.Status.SUBMITTED:
        raise ValidationError(_("Zweryfikować można tylko przesłaną ankietę."))
    if verification == Response.Verification.NEEDS_CORRECTION and not comment.strip():
        raise ValidationError({"comment": [_("Napisz, co spółdzielnia ma poprawić.")]})
    response.verification = verification
    response.verification_comment = comment.strip()
    response.verified_by = user
    response.verified_at = timezone.now()
    if verification == Response.Verification.NEEDS_CORRECTION:
        # The representative corrects and submits again.
        response.status = Response.Status.DRAFT
        response.submitted_at = None
    response.version += 1
    response.save(
        update_fields=[
            "verification",
            "verification_comment",
            "verified_by",
            "verified_at",
            "status",
            "submitted_at",
            "version",
            "updated_at",
        ]
    )
    return response


DEFAULT_QUESTIONNAIRE = "default_questionnaire.json"


def default_questionnaire_data() -> dict:
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / DEFAULT_QUESTIONNAIRE).read_text(encoding="utf-8"))


@transaction.atomic
def questionnaire_load(*, wave: Wave, data: dict) -> int:
    """Fill a draft wave's empty questionnaire (questions and consistency rules) from data shaped like
    data/default_questionnaire.json."""
    ensure_questionnaire_editable(wave)
    if wave.questions.exists():
        raise ValidationError(_("Fala „%(wave)s” ma już pytania.") % {"wave": wave.name})
    by_code: dict[str, Question] = {}
    for section_index, section_data in enumerate(data["sections"]):
        section = section_create(wave=wave, title=section_data["title"], order=section_index)
        for index, item in enumerate(section_data["questions"]):
            condition = item.get("condition")
            by_code[item["code"]] = question_create(
                section=section,
                code=item["code"],
                text=item["text"],
                type=item["type"],
                order=index,
                is_required=item.get("required", False),
                min_value=None if item.get("min") is None else Decimal(str(item["min"])),
                max_value=None if item.get("max") is None else Decimal(str(item["max"])),
                unit=item.get("unit", ""),
                help_text=item.get("help", ""),
                condition_question=by_code[condition[0]] if condition else None,
                condition_value=condition[1] if condition else "",
                choices=[tuple(choice) for choice in item.get("choices", [])],
            )
    for index, item in enumerate(data.get("rules", [])):
        rule_create(
            wave=wave,
            kind=item["kind"],
            parts=item["parts"],
            whole=item["whole"],
            share_question=item.get("share", ""),
            tolerance=Decimal(str(item.get("tolerance", 0))),
            order=index,
        )
    return len(by_code)


# --- Answer import by a worker ---------------------------------------------------------------------------------


@transaction.atomic
def answer_import_enqueue(*, wave: Wave, user, data: bytes, filename: str):
    """Stores an uploaded file of answers and hands it to a worker after the commit (monitoring.tasks.import_answers);
    returns the AnswerImport whose status page follows it. Without a broker the import runs at once, eagerly."""
    import uuid

    from .models import AnswerImport
    from .tasks import import_answers

    job = AnswerImport.objects.create(wave=wave, user=user, data=data, filename=filename, task_id=str(uuid.uuid4()))
    transaction.on_commit(lambda: import_answers.apply_async(args=[job.pk], task_id=job.task_id))
    return job
