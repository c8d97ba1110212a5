"""`{{ code|cpv_name }}`: the name of a CPV code in the page's language (or of the nearest level above it that the
installed vocabulary holds, marked as such)."""

from django import template
from django.utils.translation import gettext as _

from .. import cpv

register = template.Library()


@register.filter
def cpv_name(code: str) -> str:
    if not code:
        return ""
    entry = cpv.vocabulary().nearest(code)
    if entry is None:
        return ""
    if entry.stem == code[:8]:
        return entry.name
    return _("%(name)s (dział lub grupa %(code)s)") % {"name": entry.name, "code": entry.code}
