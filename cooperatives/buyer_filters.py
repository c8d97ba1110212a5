"""The catalogues' buyers' filters (CPV code, reserved contracts): fields of the catalogue's search form (so they
are not repeated as its hidden fields), with the CPV vocabulary as a <datalist> (a searchable list that needs no
JavaScript)."""

from . import cpv, reserved

NAMES = ("cpv", "reserved")


def form_context(params, *, names=NAMES) -> dict:
    return {
        "names": names,
        "cpv": params.get("cpv", ""),
        "reserved": params.get("reserved", "") == reserved.FILTER_VALUE,
        "reserved_value": reserved.FILTER_VALUE,
        "cpv_options": cpv.options(max_digits=3),
    }
