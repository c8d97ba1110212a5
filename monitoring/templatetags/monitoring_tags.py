from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def format_number(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "as_integer_ratio") and value == int(value):
        return intcomma(int(value))
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.simple_tag
def stat_cell(cell, min_cell_size):
    """A statistics cell: the value, or a dash with an explanation when suppressed; staff see values marked."""
    if cell.hidden:
        text = f"<{min_cell_size}" if cell.reason == "primary" else "—"
        explanation = (
            _("ukryte: mniej niż %(n)s spółdzielnie") % {"n": min_cell_size}
            if cell.reason == "primary"
            else _("ukryte, aby nie dało się odtworzyć innej ukrytej wartości")
        )
        return format_html(
            '<span class="suppressed" title="{}">{}<span class="visually-hidden"> ({})</span></span>',
            explanation,
            text,
            explanation,
        )
    value = format_number(cell.value)
    if cell.confidential:
        return format_html('{} <span class="confidential badge">{}</span>', value, _("poufne"))
    return value


@register.filter
def raw_number(cell) -> str:
    """Machine-readable value for the chart script (empty when hidden)."""
    if cell.hidden or cell.value is None:
        return ""
    return str(cell.value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.inclusion_tag("monitoring/includes/dashboard_waves.html")
def dashboard_waves(user):
    """The open survey waves of a representative's cooperatives, for the self-service dashboard."""
    from monitoring.selectors import open_waves_for_user

    return {"monitoring_tasks": open_waves_for_user(user)}
