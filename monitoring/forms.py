"""Forms built from a wave's questionnaire. The same per-question field validates online answers, staff entry,
the API and imported cells, so every channel gives the same Polish message for the same mistake."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import data_label

from . import rules as consistency
from .models import Question, Response

PERCENT_MIN, PERCENT_MAX = Decimal(0), Decimal(100)
SHORT_TEXT_MAX_LENGTH = 255
LONG_TEXT_MAX_LENGTH = 5000
YES, NO = "tak", "nie"
# A year's answers of every cooperative fit in a few megabytes; the file is validated whole in memory.
IMPORT_MAX_BYTES = 20_000_000


def _bounds(question):
    low, high = question.min_value, question.max_value
    if question.type == Question.Type.PERCENTAGE:
        low = PERCENT_MIN if low is None else max(low, PERCENT_MIN)
        high = PERCENT_MAX if high is None else min(high, PERCENT_MAX)
    return low, high


def _range_validator(question):
    low, high = _bounds(question)
    unit = f" {question.unit}" if question.unit else ""

    def validate(value):
        if value is None:
            return
        if low is not None and value < low:
            raise ValidationError(
                _("Wartość musi wynosić co najmniej %(min)s%(unit)s.") % {"min": number_format(low), "unit": unit},
                code="min_value",
            )
        if high is not None and value > high:
            raise ValidationError(
                _("Wartość może wynosić najwyżej %(max)s%(unit)s.") % {"max": number_format(high), "unit": unit},
                code="max_value",
            )

    return validate


class YesNoField(forms.TypedChoiceField):
    """Accepts tak/nie (and 1/0, true/false from files) and returns True/False."""

    TRUE = {"tak", "t", "1", "true", "yes", "y"}
    FALSE = {"nie", "n", "0", "false", "no"}

    def __init__(self, **kwargs):
        super().__init__(
            choices=[(YES, gettext_lazy("tak")), (NO, gettext_lazy("nie"))],
            coerce=lambda value: value == YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )

    def to_python(self, value):
        if value is True or value is False:
            return YES if value else NO
        text = str(value).strip().lower() if value is not None else ""
        if text in self.TRUE:
            return YES
        if text in self.FALSE:
            return NO
        return text

    def prepare_value(self, value):
        if value is True:
            return YES
        if value is False:
            return NO
        return value


def question_field(question: Question, *, required: bool) -> forms.Field:
    """The form field that validates one question's answer (required only when the caller asks for it)."""
    common = {
        "label": data_label(question.text),
        "help_text": data_label(question.help_text),
        "required": required,
    }
    required_message = {"required": _("To pytanie jest obowiązkowe.")}
    question_type = question.type
    if question_type == Question.Type.INTEGER:
        field = forms.IntegerField(
            **common,
            error_messages={
                **required_message,
                "invalid": _("Podaj liczbę całkowitą, bez spacji i przecinka."),
            },
            validators=[_range_validator(question)],
        )
    elif question_type in (Question.Type.AMOUNT, Question.Type.PERCENTAGE):
        invalid = (
            _("Podaj kwotę w złotych, np. 12500 albo 12500,50.")
            if question_type == Question.Type.AMOUNT
            else _("Podaj odsetek jako liczbę od 0 do 100, np. 35 albo 35,5.")
        )
        field = forms.DecimalField(
            **common,
            max_digits=16,
            decimal_places=2,
            localize=True,
            error_messages={
                **required_message,
                "invalid": invalid,
                "max_decimal_places": _("Podaj najwyżej 2 miejsca po przecinku."),
                "max_digits": _("Liczba jest za duża."),
                "max_whole_digits": _("Liczba jest za duża."),
            },
            validators=[_range_validator(question)],
        )
    elif question_type == Question.Type.YES_NO:
        field = YesNoField(
            **common,
            error_messages={**required_message, "invalid_choice": _("Wybierz „tak” albo „nie”.")},
        )
    elif question_type == Question.Type.SINGLE_CHOICE:
        field = forms.ChoiceField(
            **common,
            choices=[(choice.code, data_label(choice.label)) for choice in question.choices.all()],
            widget=forms.RadioSelect,
            error_messages={
                **required_message,
                "invalid_choice": _("Wybierz jedną z podanych odpowiedzi (nie ma odpowiedzi „%(value)s”)."),
            },
        )
    elif question_type == Question.Type.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(
            **common,
            choices=[(choice.code, data_label(choice.label)) for choice in question.choices.all()],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                **required_message,
                "invalid_choice": _("Nie ma odpowiedzi „%(value)s” do wyboru."),
                "invalid_list": _("Podaj listę odpowiedzi."),
            },
        )
    elif question_type == Question.Type.SHORT_TEXT:
        field = forms.CharField(
            **common,
            max_length=SHORT_TEXT_MAX_LENGTH,
            error_messages={
                **required_message,
                "max_length": _("Odpowiedź może mieć najwyżej %(limit_value)d znaków (ma %(show_value)d)."),
            },
        )
    else:
        field = forms.CharField(
            **common,
            max_length=LONG_TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={
                **required_message,
                "max_length": _("Odpowiedź może mieć najwyżej %(limit_value)d znaków (ma %(show_value)d)."),
            },
        )
    return field


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def condition_met(question: Question, values: dict) -> bool:
    """Whether a conditional question is shown, given the (cleaned) answers keyed by question code."""
    if not question.is_conditional:
        return True
    parent = question.condition_question
    if not condition_met(parent, values):
        return False
    value = values.get(parent.code)
    expected = question.condition_value
    if isinstance(value, bool):
        return (YES if value else NO) == expected.lower()
    if isinstance(value, list):
        return expected in value
    if value is None:
        return False
    return str(value) == expected


def clean_answers(questions, raw: dict, *, complete: bool, rules=None) -> tuple[dict, dict]:
    """Validate raw answers (keyed by code) against the questions and the wave's consistency rules.

    Returns (values, errors) keyed by code. Hidden conditional questions are not validated and get no value;
    `complete` makes required (shown) questions mandatory and the consistency rules binding, as on submission (a
    draft may be incomplete or contradictory: see monitoring/README.md). `rules` defaults to the wave's rules
    (one query); pass them when cleaning many rows of one wave.
    """
    values, errors = {}, {}
    for question in questions:
        field = question_field(question, required=False)
        try:
            values[question.code] = field.clean(raw.get(question.code))
        except ValidationError as error:
            errors[question.code] = error.messages
            values[question.code] = None
    for question in questions:
        if not condition_met(question, values):
            values[question.code] = None
            errors.pop(question.code, None)
        elif complete and question.is_required and is_empty(values[question.code]) and question.code not in errors:
            errors[question.code] = [_("To pytanie jest obowiązkowe.")]
    if complete:
        if rules is None:
            rules = consistency.wave_rules(questions[0].wave_id if questions else None)
        for code, messages in consistency.messages_by_code(consistency.check(rules, questions, values)).items():
            errors.setdefault(code, []).extend(messages)
    return values, errors


class QuestionnaireForm(forms.Form):
    """The whole questionnaire as one form; each field is named by its question's code."""

    SAVE_DRAFT, SUBMIT = "save", "submit"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions, rules=None, response: Response | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        if rules is None:
            rules = consistency.wave_rules(self.questions[0].wave_id if self.questions else None)
        self.rules = list(rules)
        self.response = response
        self.contradictions: list[consistency.Violation] = []
        for question in self.questions:
            field = question_field(question, required=False)
            field.question = question
            field.warnings = []
            self.fields[question.code] = field
            self._describe(question.code)
        self.fields["version"].initial = response.version if response else 0
        if not self.is_bound and self.initial:
            # a saved draft (or answers older than a rule) that break a rule say so before they are submitted
            self._warn(consistency.check(self.rules, self.questions, self.initial))

    def _warn(self, violations: list) -> None:
        self.contradictions = violations
        for code, messages in consistency.messages_by_code(violations).items():
            if code in self.fields:
                self.fields[code].warnings = messages
                self._describe(code, with_errors=code in (self._errors or {}))

    def _describe(self, code: str, *, with_errors: bool = False) -> None:
        """Tie the help text, unit, error messages and warnings to the input for screen readers."""
        field = self.fields[code]
        question = field.question
        auto_id = self.auto_id % code
        ids = [f"{auto_id}_help"] if question.help_text else []
        if question.unit and question.type in Question.NUMERIC_TYPES:
            ids.append(f"unit-{question.code}")
        if with_errors:
            ids.append(f"{auto_id}_errors")
        if field.warnings:
            ids.append(f"{auto_id}_warnings")
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)

    @property
    def wants_submit(self) -> bool:
        return self.is_bound and self.SUBMIT in self.data

    def sections(self):
        """Bound fields grouped by section, in questionnaire order, for the template."""
        grouped = []
        for question in self.questions:
            if not grouped or grouped[-1][0].pk != question.section_id:
                grouped.append((question.section, []))
            grouped[-1][1].append(self[question.code])
        return grouped

    def clean(self):
        raw = {
            question.code: (
                self.data.getlist(question.code)
                if question.type == Question.Type.MULTIPLE_CHOICE
                else self.data.get(question.code)
            )
            for question in self.questions
        }
        values, errors = clean_answers(self.questions, raw, complete=self.wants_submit, rules=self.rules)
        # clean_answers is the single judge of answers: it drops errors of hidden conditional questions.
        for code in [code for code in self._errors if code in values]:
            del self._errors[code]
        for code, messages in errors.items():
            self._errors[code] = self.error_class(messages, renderer=self.renderer)
            self._describe(code, with_errors=True)
        if not self.wants_submit:
            # a draft is saved even when its answers contradict each other; the view tells what to correct
            self._warn(consistency.check(self.rules, self.questions, values))
        self.cleaned_answers = values
        return self.cleaned_data


class VerificationForm(forms.Form):
    verification = forms.ChoiceField(
        label=gettext_lazy("Wynik weryfikacji"),
        choices=[
            (Response.Verification.VERIFIED, Response.Verification.VERIFIED.label),
            (Response.Verification.NEEDS_CORRECTION, Response.Verification.NEEDS_CORRECTION.label),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Uwagi dla spółdzielni"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Przedstawiciel spółdzielni zobaczy ten komentarz przy swojej ankiecie."),
    )

    def clean(self):
        data = super().clean()
        if data.get("verification") == Response.Verification.NEEDS_CORRECTION and not data.get("comment"):
            self.add_error("comment", _("Napisz, co spółdzielnia ma poprawić."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Plik CSV lub XLSX"),
        help_text=gettext_lazy(
            "Jeden wiersz na spółdzielnię: kolumna „krs” i po jednej kolumnie na kod pytania. "
            "Wielokrotny wybór: kody oddzielone średnikiem."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise ValidationError(_("Wybierz plik z rozszerzeniem .csv albo .xlsx."))
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                _("Plik jest za duży (najwyżej %(mb)s MB). Podziel go na mniejsze części.")
                % {"mb": IMPORT_MAX_BYTES // 1_000_000}
            )
        return upload
