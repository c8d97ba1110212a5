"""OAI-PMH 2.0 endpoint. Placeholder until the library work lands."""

from django.http import Http404


def endpoint(request):
    raise Http404
