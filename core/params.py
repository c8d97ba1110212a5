"""Query-parameter hygiene shared by the API and the pages that take filters from the URL."""

from django.http import QueryDict
from django.utils.translation import gettext as _


def split_nul_params(data: QueryDict) -> tuple[QueryDict, dict[str, list[str]]]:
    """`data` without the parameters whose values hold a NUL character, and an error message for each of them.

    PostgreSQL refuses NUL in text, so such a value must be answered as bad input before it reaches a query.
    """
    bad = sorted({key for key, values in data.lists() if any("\x00" in value for value in values)})
    if not bad:
        return data, {}
    clean = data.copy()
    for key in bad:
        del clean[key]
    return clean, {key.replace("\x00", ""): [_("Wartość zawiera niedozwolony znak NUL.")] for key in bad}
