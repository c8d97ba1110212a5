"""`data_label`: a name from a fixed data vocabulary in the active language (core.text.data_label)."""

from django import template

from core.text import data_label as translate_data_label

register = template.Library()


@register.filter
def data_label(value):
    return translate_data_label(str(value)) if value is not None else ""
