"""Two rules for every input of the portal, installed once at start-up (CoreConfig.ready) so that no form,
serializer or model field can miss them: Django's and DRF's own fields, the admin's, allauth's, the ones built at
run time from a questionnaire, and the ones not written yet.

1. Text. Single-line text refuses line breaks and control characters; multi-line text refuses control
   characters other than line feed, carriage return and tab (core.validators). Which is which:

   - a form field (django.forms.CharField and subclasses): multi-line when its widget is a Textarea, judged when
     it validates, so a widget swapped after the field was built counts;
   - a model field: TextField is multi-line, CharField (and subclasses: e-mail, slug, URL) single-line;
   - a DRF field (rest_framework CharField and subclasses): multi-line when its style says
     `base_template: textarea.html`, which ModelSerializer gives every TextField; declare a multi-line
     serializers.CharField with that style.

   The check runs in the field's own validation step, before its validators, so a value is refused once, with one
   message. A DRF related field (a slug, a key, a URL naming another row) refuses a value with a control character
   as single-line text before it looks the row up: PostgreSQL cannot compare text holding NUL (a 500). Django's
   ModelChoiceField already refuses NUL itself.

2. Machine formats in typed HTML inputs. A browser reads `<input type="date|time|datetime-local">` only in ISO
   8601 and `<input type="number">` only with a dot and without grouping; any other value shows an empty field, and
   the form then submits it empty (the profile's "counts_as_of" was erased on every save). Such widgets render
   those formats whatever the active language, FORMAT settings and `localize`. Text inputs keep the language's
   formats, which their fields parse, and keep a timestamp's microseconds when it has some (the admin's
   split date and time inputs would otherwise drop them on every save).
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import widgets
from django.utils import formats
from rest_framework import fields as drf_fields
from rest_framework import relations as drf_relations
from rest_framework.exceptions import ValidationError as DRFValidationError

from .validators import validate_multi_line, validate_single_line

ISO_INPUT_FORMATS = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime-local": "%Y-%m-%dT%H:%M"}
# The style that makes a declared serializers.CharField multi-line: `serializers.CharField(style=TEXTAREA_STYLE)`.
TEXTAREA_STYLE = {"base_template": "textarea.html"}

_installed = False


def install() -> None:
    """Idempotent; called from CoreConfig.ready()."""
    global _installed
    if _installed:
        return
    _installed = True
    _install_text_rules()
    _install_machine_formats()


# --- 1. Text ---------------------------------------------------------------------------------------------------


def form_field_validator(field: forms.Field):
    return validate_multi_line if isinstance(field.widget, forms.Textarea) else validate_single_line


def serializer_field_validator(field: drf_fields.Field):
    multi_line = field.style.get("base_template") == TEXTAREA_STYLE["base_template"]
    return validate_multi_line if multi_line else validate_single_line


def _install_text_rules() -> None:
    base_validate = forms.Field.validate

    def validate(self, value):
        base_validate(self, value)
        form_field_validator(self)(value)

    forms.CharField.validate = validate

    def model_rule(base, validator):
        def validate(self, value, model_instance):
            base(self, value, model_instance)
            validator(value)

        return validate

    models.CharField.validate = model_rule(models.Field.validate, validate_single_line)
    models.TextField.validate = model_rule(models.Field.validate, validate_multi_line)

    to_internal_value = drf_fields.CharField.to_internal_value

    def checked_to_internal_value(self, data):
        value = to_internal_value(self, data)
        try:
            serializer_field_validator(self)(value)
        except ValidationError as error:
            raise DRFValidationError(error.messages, code=error.code) from None
        return value

    drf_fields.CharField.to_internal_value = checked_to_internal_value

    for related in (
        drf_relations.PrimaryKeyRelatedField,
        drf_relations.SlugRelatedField,
        drf_relations.HyperlinkedRelatedField,
    ):
        related.to_internal_value = _single_line_reference(related.to_internal_value)


def _single_line_reference(to_internal_value):
    def checked(self, data):
        if isinstance(data, str):
            try:
                validate_single_line(data)
            except ValidationError as error:
                raise DRFValidationError(error.messages, code=error.code) from None
        return to_internal_value(self, data)

    return checked


# --- 2. Machine formats in typed inputs ------------------------------------------------------------------------


def iso_input_value(input_type: str, value):
    """The value a browser accepts in an <input type="date|time|datetime-local">, or None if `value` is not a
    date or time (bound data, already a string, is passed through by the caller)."""
    if input_type == "date" and isinstance(value, datetime.date):
        return value.strftime(ISO_INPUT_FORMATS["date"])
    if input_type == "time" and isinstance(value, datetime.time | datetime.datetime):
        return _with_seconds(value, value.strftime(ISO_INPUT_FORMATS["time"]))
    if input_type == "datetime-local" and isinstance(value, datetime.datetime):
        return _with_seconds(value, value.strftime(ISO_INPUT_FORMATS["datetime-local"]))
    return None


def _with_seconds(value, text: str) -> str:
    # Minutes are what these inputs show by default; seconds only when there are some, never dropped. (Browsers
    # take at most milliseconds, so microseconds are left to Django, which drops them for these widgets.)
    if value.second:
        return f"{text}:{value.second:02d}"
    return text


def number_input_value(value):
    """What an <input type="number"> accepts: digits, a dot, an optional exponent; never grouped or localised."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    return None


def _install_machine_formats() -> None:
    def format_value(self, value):
        iso = iso_input_value(self.input_type, value)
        if iso is not None:
            return iso
        text_format = self.format or formats.get_format(self.format_key)[0]
        if getattr(value, "microsecond", 0) and "%S" in text_format and "%f" not in text_format:
            # The language's first format stops at seconds; a timestamp saved back from the form would lose its
            # microseconds. Every language's formats (and Django's ISO fallbacks) also parse "%S.%f".
            text_format = text_format.replace("%S", "%S.%f")
        return formats.localize_input(value, text_format)

    widgets.DateTimeBaseInput.format_value = format_value
    # Django drops microseconds before rendering any date-time widget; text inputs keep them now (above).
    widgets.DateTimeBaseInput.supports_microseconds = property(lambda self: self.input_type not in ISO_INPUT_FORMATS)
    widgets.SplitDateTimeWidget.supports_microseconds = True

    date_get_context = widgets.DateTimeBaseInput.get_context

    def get_context(self, name, value, attrs):
        context = date_get_context(self, name, value, attrs)
        # A value with seconds needs a finer step than the default minute, or the browser refuses to submit it.
        if self.input_type in ("time", "datetime-local") and isinstance(value, datetime.time | datetime.datetime):
            if value.second and "step" not in context["widget"]["attrs"]:
                context["widget"]["attrs"]["step"] = "any"
        return context

    widgets.DateTimeBaseInput.get_context = get_context

    number_format_value = widgets.NumberInput.format_value

    def number_value(self, value):
        machine = number_input_value(value)
        return machine if machine is not None else number_format_value(self, value)

    widgets.NumberInput.format_value = number_value
