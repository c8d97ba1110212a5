"""Public pages of the library: list with search and filters, detail, downloads and citation exports."""

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core import site
from core.text import fold

from . import citations, selectors, services
from .models import Edition, Publication
from .permissions import can_view_publication

PAGE_SIZE = 20
CITATION_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", citations.bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", citations.ris),
}


def _visible_publication(request, slug: str) -> Publication:
    try:
        publication = selectors.publication_detail(slug=slug)
    except Publication.DoesNotExist:
        raise Http404 from None
    if not can_view_publication(request.user, publication):
        raise Http404  # a draft does not exist for the public
    return publication


FACET_HEADINGS = (
    ("series", _("Seria")),
    ("topic", _("Temat")),
    ("year", _("Rok wydania")),
    ("author", _("Autor")),
    ("language", _("Język")),
)


def _facet_groups(params, facets) -> list[dict]:
    """Each facet value with the query string that selects it (replacing the facet's current value)."""
    groups = []
    for name, heading in FACET_HEADINGS:
        base = params.copy()
        base.pop(name, None)
        selected = params.get(name, "")
        items = []
        for item in facets.get(name, []):
            query = base.copy()
            query[name] = item["value"]
            items.append({**item, "query": query.urlencode(), "is_selected": item["value"] == selected})
        clear_query = base.urlencode() if selected else None
        groups.append({"name": name, "heading": heading, "items": items, "clear_query": clear_query})
    return groups


@require_safe
def index(request):
    """The library: published items, searchable and filterable, 20 per page."""
    filterset = selectors.publication_list(data=request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    if filterset.is_valid():
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        facet_groups = _facet_groups(params, selectors.publication_facets(data=params))
    else:
        page, facet_groups = None, []
    return render(
        request,
        "publications/publication_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "facet_groups": facet_groups,
            "query_string": params.urlencode(),
            "kept_filters": [(name, params[name]) for name, _heading in FACET_HEADINGS if params.get(name)],
        },
    )


@require_safe
def detail(request, slug):
    """One publication with its editions and downloads. Drafts only for those who manage the library."""
    publication = _visible_publication(request, slug)
    return render(request, "publications/publication_detail.html", {"publication": publication})


def _citation_response(request, publications, fmt: str, filename: str) -> HttpResponse:
    content_type, render_citations = CITATION_FORMATS[fmt]
    text = render_citations(publications, url_for=lambda p: site.absolute_url(p.get_absolute_url()))
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_safe
def citation(request, slug, fmt):
    """One item's citation as BibTeX or RIS."""
    if fmt not in CITATION_FORMATS:
        raise Http404
    publication = _visible_publication(request, slug)
    return _citation_response(request, [publication], fmt, publication.slug)


@require_safe
def list_citations(request, fmt):
    """The current search results (same parameters as the list, at most selectors.EXPORT_LIMIT items)."""
    if fmt not in CITATION_FORMATS:
        raise Http404
    filterset = selectors.publication_list(data=request.GET)
    if not filterset.is_valid():
        errors = "\n".join(f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    return _citation_response(request, selectors.publications_for_export(filterset), fmt, "biblioteka")


def download_filename(edition: Edition) -> str:
    """An ASCII name made by the server from the title, never the uploaded name."""
    base = slugify(fold(edition.publication.title))[:80].strip("-") or "publikacja"
    return f"{base}.{edition.format}"


@require_safe
def download(request, slug, pk):
    """Serve an electronic edition's file from the storage and count the download."""
    publication = _visible_publication(request, slug)
    edition = next((e for e in publication.editions.all() if e.pk == pk and e.is_electronic and e.file), None)
    if edition is None:
        raise Http404
    try:
        handle = edition.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    if request.method == "GET":
        services.edition_record_download(edition=edition)
    filename = download_filename(edition)
    response = FileResponse(handle, content_type=edition.content_type, as_attachment=True, filename=filename)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
