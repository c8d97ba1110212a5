"""Public pages of the registry. Placeholder bodies: the catalogue work fills them in."""

from django.http import Http404
from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "cooperatives/home.html", {"counts": selectors.registry_headline_counts()})


def _todo(request, *args, **kwargs):
    raise Http404


cooperative_list = cooperative_detail = offer_list = offer_detail = map_view = map_data = _todo
