from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from monitoring.statistics import HIDDEN_MARK

register = template.Library()


def format_number(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "as_integer_ratio") and value == int(value):
        return intcomma(int(value))
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.simple_tag
def stat_cell(cell, min_cell_size=None):
    """A statistics cell: the value this viewer may see, or a mark with an explanation when hidden (which does not
    tell how many cooperatives the cell holds); staff see exact values, the unpublishable ones marked."""
    if cell.hidden:
        explanation = _("ukryte: zbyt mało spółdzielni, by pokazać sumę")
        return format_html(
            '<span class="suppressed" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
            explanation,
            HIDDEN_MARK,
            explanation,
        )
    value = format_number(cell.shown_value)
    if cell.confidential:
        return format_html('{} <span class="confidential badge">{}</span>', value, _("poufne"))
    return value


@register.filter
def raw_number(cell) -> str:
    """Machine-readable value for the chart script: what the viewer may see (empty when hidden)."""
    if cell.hidden or cell.shown_value is None:
        return ""
    return str(cell.shown_value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.inclusion_tag("monitoring/includes/dashboard_waves.html")
def dashboard_waves(user):
    """The open survey waves of a representative's cooperatives, for the self-service dashboard."""
    from monitoring.selectors import open_waves_for_user

    return {"monitoring_tasks": open_waves_for_user(user)}
