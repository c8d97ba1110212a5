"""Open data: the public registry as CSV, XLSX, JSON and GeoJSON. Placeholder until the open-data work lands."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


open_data = open_data_cooperatives = open_data_offers = _todo
