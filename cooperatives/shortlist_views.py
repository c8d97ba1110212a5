"""A buyer's shortlist: add and remove from the catalogue (plain POST forms, back to the same page), the list
itself with what an inquiry would do for each cooperative, and its published contacts as CSV or XLSX.

Works without JavaScript; nothing needs an account (the list lives in the session).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import site, streaming

from . import exports, selectors, shortlist
from .models import Cooperative


def _back(request, *, anchor: str = ""):
    """Back to the page the form was on (its query string and page kept), else to the shortlist."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("cooperatives:shortlist")
    if anchor and "#" not in target:
        target += f"#{anchor}"
    return redirect(target)


def _posted_cooperative(request) -> Cooperative | None:
    krs = request.POST.get("krs", "")
    if not shortlist.is_krs(krs):
        return None
    return Cooperative.objects.exclude(status=Cooperative.Status.DELETED).filter(krs_number=krs).first()


@require_POST
def shortlist_add(request):
    """Adds one cooperative to the visitor's shortlist and returns to the same catalogue page."""
    cooperative = _posted_cooperative(request)
    if cooperative is None:
        messages.error(request, _("Nie ma w rejestrze takiej spółdzielni (albo została wykreślona z KRS)."))
        return _back(request)
    if not shortlist.add(request.session, cooperative.krs_number):
        messages.error(
            request,
            _("Lista wybranych jest pełna (%(max)d spółdzielni). Usuń którąś, aby dodać kolejną.")
            % {"max": shortlist.MAX_SIZE},
        )
    return _back(request, anchor=f"wynik-{cooperative.krs_number}")


@require_POST
def shortlist_remove(request):
    krs = request.POST.get("krs", "")
    shortlist.remove(request.session, krs)
    return _back(request, anchor=f"wynik-{krs}" if shortlist.is_krs(krs) else "")


@require_POST
def shortlist_clear(request):
    shortlist.clear(request.session)
    messages.success(request, _("Wyczyszczono listę wybranych spółdzielni."))
    return redirect("cooperatives:shortlist")


@require_safe
def shortlist_page(request):
    """The shortlist, with what an inquiry would do for each cooperative; the inquiry is sent from here."""
    cooperatives = selectors.shortlist_cooperatives(krs_numbers=shortlist.krs_numbers(request.session))
    return render(
        request,
        "cooperatives/shortlist.html",
        {"routes": selectors.inquiry_routes(cooperatives=cooperatives), "max_size": shortlist.MAX_SIZE},
    )


@require_safe
def shortlist_export(request, fmt):
    """The shortlist's published contacts (a buyer's contact list), as semicolon-separated CSV or XLSX."""
    cooperatives = selectors.shortlist_cooperatives(krs_numbers=shortlist.krs_numbers(request.session))
    if not cooperatives:
        raise Http404(_("Lista wybranych spółdzielni jest pusta."))
    header, rows = exports.shortlist_contacts(cooperatives, site_url=site.base_url())
    filename = f"wybrane-spoldzielnie-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        return streaming.csv_response(header, rows, filename=filename, delimiter=";")
    return streaming.xlsx_response(header, rows, filename=filename, sheet_title=_("Wybrane spółdzielnie"))
