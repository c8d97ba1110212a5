"""Placeholder until the self-service work lands."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


dashboard = inquiry = report_error = _todo
