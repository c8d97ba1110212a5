"""Consistency rules between a wave's answers (a part never above its whole, a sum equal to its total, a share that
agrees with the amounts): the one place that judges them. `forms.clean_answers` calls it for the questionnaire page,
the API and the import; the staff's report (`selectors.responses_breaking_rules`) for answers already stored.

The rules are data (`models.Rule`, declared with the questionnaire: `rules` in data/default_questionnaire.json).
A rule is checked only when its sides are answered: an unanswered question counts as 0 in a sum, but a side with
no answer at all (a draft, a hidden conditional question) leaves the rule unchecked; a share of a whole of 0 is not
checked either.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.text import data_label

from .models import Question, Rule

HUNDRED = Decimal(100)
SHARE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Violation:
    """A broken rule: the questions to flag (those whose answer may be the mistake) and a Polish message."""

    rule: Rule
    codes: tuple[str, ...]
    message: str


def wave_rules(wave_id: int | None) -> list[Rule]:
    if wave_id is None:
        return []
    return list(Rule.objects.filter(wave_id=wave_id).order_by("order", "pk"))


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def _side(codes: tuple[str, ...], values: dict) -> Decimal | None:
    """The sum of the answered questions of a side, or None when none of them is answered."""
    numbers = [number for number in (_number(values.get(code)) for code in codes) if number is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _show(value: Decimal) -> str:
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True)


def _quoted(codes: tuple[str, ...], questions: dict[str, Question]) -> str:
    names = (data_label(questions[code].text) if code in questions else code for code in codes)
    return ", ".join(_("„%(text)s”") % {"text": name} for name in names)


def _side_label(codes: tuple[str, ...], questions: dict[str, Question]) -> str:
    if len(codes) == 1:
        return _("wartość w pytaniu %(question)s") % {"question": _quoted(codes, questions)}
    return _("suma wartości w pytaniach %(questions)s") % {"questions": _quoted(codes, questions)}


def _with_tolerance(message: str, rule: Rule) -> str:
    if not rule.tolerance:
        return message
    return f"{message} " + _("Dopuszczalna różnica: %(tolerance)s.") % {"tolerance": _show(rule.tolerance)}


def check_rule(rule: Rule, questions: dict[str, Question], values: dict) -> Violation | None:
    """One rule against answers keyed by code (ints and decimals as the form cleans them or the database holds)."""
    parts, whole = _side(rule.part_codes, values), _side(rule.whole_codes, values)
    if parts is None or whole is None:
        return None
    if rule.kind in Rule.SHARE_KINDS:
        share = _number(values.get(rule.share_question))
        if share is None or whole <= 0:
            return None
        computed = (HUNDRED * parts / whole).quantize(SHARE_PLACES)
        if rule.kind == Rule.Kind.SHARE_AT_LEAST:
            if share >= computed - rule.tolerance:
                return None
            template = _(
                "Odsetek w pytaniu „%(share)s” (%(share_value)s%%) nie zgadza się z kwotami: z odpowiedzi na pytania "
                "%(parts)s (razem %(part_value)s) i %(whole)s (razem %(whole_value)s) wynika co najmniej "
                "%(computed)s%%."
            )
        else:
            if share <= computed + rule.tolerance:
                return None
            template = _(
                "Odsetek w pytaniu „%(share)s” (%(share_value)s%%) nie zgadza się z kwotami: z odpowiedzi na pytania "
                "%(parts)s (razem %(part_value)s) i %(whole)s (razem %(whole_value)s) wynika najwyżej "
                "%(computed)s%%."
            )
        share_question = questions.get(rule.share_question)
        message = template % {
            "share": data_label(share_question.text) if share_question else rule.share_question,
            "share_value": _show(share),
            "parts": _quoted(rule.part_codes, questions),
            "part_value": _show(parts),
            "whole": _quoted(rule.whole_codes, questions),
            "whole_value": _show(whole),
            "computed": _show(computed),
        }
        return Violation(rule, (rule.share_question,), _with_tolerance(message, rule))
    if rule.kind == Rule.Kind.NOT_ABOVE:
        if parts <= whole + rule.tolerance:
            return None
        template = _("%(part)s (%(part_value)s) nie może być większa niż %(whole)s (%(whole_value)s).")
    else:
        if abs(parts - whole) <= rule.tolerance:
            return None
        template = _("%(part)s (%(part_value)s) i %(whole)s (%(whole_value)s) muszą być równe.")
    message = capfirst(
        template
        % {
            "part": _side_label(rule.part_codes, questions),
            "part_value": _show(parts),
            "whole": _side_label(rule.whole_codes, questions),
            "whole_value": _show(whole),
        }
    )
    return Violation(rule, (*rule.part_codes, *rule.whole_codes), _with_tolerance(message, rule))


def check(rules, questions, values: dict) -> list[Violation]:
    """Every rule the answers break, in the rules' order."""
    by_code = {question.code: question for question in questions}
    return [violation for rule in rules if (violation := check_rule(rule, by_code, values)) is not None]


def messages_by_code(violations: list[Violation]) -> dict[str, list[str]]:
    """The violations' messages on each question they flag (for forms and the API)."""
    messages: dict[str, list[str]] = {}
    for violation in violations:
        for code in violation.codes:
            messages.setdefault(code, []).append(violation.message)
    return messages
