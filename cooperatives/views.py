"""Public pages of the registry: home, the catalogues of cooperatives and offers, profiles and the map.

Every catalogue state lives in the query string (shareable URLs), and every input a visitor can send is answered
with a Polish message and status 400, never a 500.
"""

import hashlib
import json
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import site
from core.cache import compute_once
from core.pagination import CachedCountPaginator

from . import buyer_filters, geo, reserved, search, selectors, shortlist, zero_results
from .filters import split_values
from .map import map_request
from .models import Cooperative, Offer

PAGE_SIZE = 20
FACET_CACHE_SECONDS = 60
HOME_CACHE_SECONDS = 60
# Parameters that are not filters: they never become facet links or hidden fields of the filter form.
NON_FILTER_PARAMS = ("page", "search", "ordering", "bbox", "zoom")
# Filters that take several values (repeated, or a comma list).
MULTI_VALUED = frozenset(
    {"voivodeship", "powiat", "gmina", "category", "target_group", "founder_type", "status", "certification"}
    | {"service_area"}
)
# Choosing (or removing) a unit clears the units below it, which would otherwise contradict it.
TERRITORY_CHILDREN = {"voivodeship": ("powiat", "gmina"), "powiat": ("gmina",)}
COOPERATIVE_FACETS = (
    "voivodeship",
    "powiat",
    "gmina",
    "category",
    "target_group",
    "status",
    "founder_type",
    "social_enterprise",
    "certification",
)
OFFER_FACETS = ("category", "voivodeship", "powiat", "gmina", "service_area", "certification")


# --- Query strings, facets, errors and pages ------------------------------------------------------------
# The state of a catalogue page is its query string: each parameter with a list of values (a facet may hold
# several, repeated or as a comma list; the others hold one).


def _params(querydict) -> dict[str, list[str]]:
    """The query string as {name: [values]}: several-valued filters split (comma lists too), the others the last
    value given; empty ones left out."""
    params = {}
    for key, values in querydict.lists():
        kept = split_values(values) if key in MULTI_VALUED else [values[-1]] if values and values[-1] else []
        if kept:
            params[key] = kept
    return params


def _encode(params: dict[str, list[str]], *, skip=("page",)) -> str:
    return urlencode([(key, value) for key, values in params.items() if key not in skip for value in values])


def _query(params, **changes) -> str:
    """The current query string with `changes` applied (None removes a parameter, a list replaces its values);
    the page always resets. Removing a territorial level removes the levels below it."""
    query = {key: list(values) for key, values in params.items() if key != "page"}
    for key, value in changes.items():
        for cleared in (key, *TERRITORY_CHILDREN.get(key, ())):
            query.pop(cleared, None)
        if value:
            query[key] = list(value)
    encoded = _encode(query)
    return f"?{encoded}" if encoded else "?"


def _toggle(params, name: str, value: str) -> str:
    """The query string with `value` of `name` added, or removed if chosen (and with it the chosen units inside
    a removed territorial unit)."""
    query = {key: list(values) for key, values in params.items() if key != "page"}
    current = query.get(name, [])
    if value in current:
        query[name] = [v for v in current if v != value]
        if name in TERRITORY_CHILDREN:
            for child in TERRITORY_CHILDREN[name]:
                query[child] = [v for v in query.get(child, []) if not v.startswith(value)]
    else:
        query[name] = [*current, value]
        # A whole unit replaces the chosen units inside it (which it would otherwise stand for).
        for child in TERRITORY_CHILDREN.get(name, ()):
            query[child] = [v for v in query.get(child, []) if not v.startswith(value)]
    encoded = _encode({key: values for key, values in query.items() if values})
    return f"?{encoded}" if encoded else "?"


def _filter_query(params) -> str:
    """Only the catalogue's filters (no page, no map position), URL-encoded without the leading '?'."""
    return _encode(params, skip=("page", "bbox", "zoom"))


def _value_label(filterset, name, value) -> str:
    if value is True:
        return _("tak")
    if value is False:
        return _("nie")
    choices = getattr(filterset.form.fields[name], "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        return str(dict(choices).get(value, value))
    return str(value)


def _facet_groups(params, filterset, facets, names) -> list[dict]:
    """Facet values with counts as links that add the value to the chosen ones (or remove it when chosen), keeping
    every other parameter; chosen values are marked. (Every chosen value is also listed, removable, among the
    active filters, even one without results.)"""
    relabel = {"social_enterprise": {"true": _("tak"), "false": _("nie")}}
    groups = []
    for name in names:
        if name not in facets:
            continue
        current = params.get(name, [])
        items = [
            {
                "value": item["value"],
                "label": relabel.get(name, {}).get(item["value"], item["label"]),
                "count": item["count"],
                "selected": item["value"] in current,
                "href": _toggle(params, name, item["value"]),
            }
            for item in facets[name]
            if item["count"]
        ]
        if items or current:
            groups.append(
                {
                    "name": name,
                    "label": filterset.filters[name].label,
                    "items": items,
                    "multiple": name in MULTI_VALUED,
                    "remove_href": _query(params, **{name: None}) if current else "",
                }
            )
    return groups


def _chosen_labels(filterset, name, cleaned) -> list[tuple[str, str]]:
    """(value, label) of each chosen value of a several-valued filter."""
    if not isinstance(cleaned, list):
        return []
    pairs = []
    for value in cleaned:
        if hasattr(value, "pk"):
            key = filterset.filters[name].extra.get("to_field_name") or "pk"
            pairs.append((str(getattr(value, key)), str(value)))
        else:
            pairs.append((value, _value_label(filterset, name, value)))
    return pairs


def _active_filters(params, filterset) -> list[dict]:
    """The chosen filters in words, one chip per chosen value, each with a link that removes it."""
    active = []
    cleaned = filterset.form.cleaned_data
    for name, field in filterset.form.fields.items():
        if name in (*NON_FILTER_PARAMS, "km"):
            continue
        value = cleaned.get(name)
        if value in (None, "", []):
            continue
        if name == "near":
            km = cleaned.get("km") or geo.DEFAULT_KM
            active.append(
                {
                    "label": field.label,
                    "value": _("%(place)s, do %(km)s km") % {"place": value, "km": km},
                    "remove_href": _query(params, near=None, km=None),
                }
            )
        elif isinstance(value, list):
            active.extend(
                {"label": field.label, "value": label, "remove_href": _toggle(params, name, key)}
                for key, label in _chosen_labels(filterset, name, value)
            )
        else:
            active.append(
                {
                    "label": field.label,
                    "value": _value_label(filterset, name, value),
                    "remove_href": _query(params, **{name: None}),
                }
            )
    return active


def _form_errors(params, form) -> list[dict]:
    """Errors per parameter, with the parameter's label and a link that drops the parameter."""
    return [
        {
            "name": name,
            "label": form.fields[name].label if name in form.fields else name,
            "messages": list(messages),
            "remove_href": _query(params, **{name: None}),
        }
        for name, messages in form.errors.items()
    ]


def _hidden_filters(params, *, skip=()) -> list[tuple[str, str]]:
    """Chosen filters carried by a form as hidden fields, so submitting it keeps them."""
    return [
        (key, value) for key, values in params.items() if key not in (*NON_FILTER_PARAMS, *skip) for value in values
    ]


def _hidden_deleted(params, filterset, facets) -> dict | None:
    """How many struck-off cooperatives the default status filter leaves out, with a link showing every status."""
    if "status" in filterset.chosen():
        return None
    counts = {item["value"]: item["count"] for item in facets.get("status", [])}
    hidden = counts.get(Cooperative.Status.DELETED, 0)
    if not hidden:
        return None
    return {"count": hidden, "show_href": _query(params, status=list(Cooperative.Status.values))}


def _paginate(queryset, raw_page):
    """(page, None) or (None, a Polish message) for a page number that is not a number or out of range."""
    try:
        number = int(raw_page) if raw_page else 1
    except ValueError:
        return None, _("Numer strony musi być dodatnią liczbą całkowitą.")
    if number < 1:
        return None, _("Numer strony musi być dodatnią liczbą całkowitą.")
    paginator = CachedCountPaginator(search.pageable(queryset, number=number, per_page=PAGE_SIZE), PAGE_SIZE)
    if number > paginator.num_pages:
        return None, _("Nie ma strony %(number)s: wyniki mieszczą się na %(pages)s str.") % {
            "number": number,
            "pages": paginator.num_pages,
        }
    return paginator.page(number), None


def _facets(facets_of, params, filterset) -> dict:
    """Facet counts are the costly part of a catalogue page (a grouped query per facet over the whole registry), so
    they are cached briefly per combination of filters; the results themselves are always read live."""
    relevant = sorted((key, sorted(values)) for key, values in params.items() if key not in ("page", "ordering"))
    digest = hashlib.sha256(json.dumps(relevant, ensure_ascii=False).encode()).hexdigest()
    # Per language too: the labels are translated (categories, target groups, voivodeships, service areas).
    return compute_once(
        f"cooperatives:facets:{get_language()}:{facets_of.__name__}:{digest}",
        lambda: facets_of(filterset=filterset),
        FACET_CACHE_SECONDS,
    )


SEARCH_FORM_FIELDS = ("search", "ordering", "near", "km")


def _catalogue(request, filterset, *, facets_of, facet_names, form_fields=()) -> tuple[dict, int]:
    """Validate, paginate and count facets; status 400 with messages for any invalid parameter.

    `form_fields`: filters that the search form shows as its own fields (so they are not repeated as hidden)."""
    params = _params(request.GET)
    valid = filterset.is_valid()
    errors = set(filterset.form.errors)
    context = {
        "filterset": filterset,
        "search": request.GET.get("search", ""),
        "ordering": request.GET.get("ordering", ""),
        "ordering_choices": filterset.filters["ordering"].extra["choices"],
        "near": {
            "value": request.GET.get("near", ""),
            "km": request.GET.get("km", ""),
            "default_km": geo.DEFAULT_KM,
            "max_km": geo.MAX_KM,
            "mine": _my_gminas(request),
        },
        "hidden_filters": _hidden_filters(params, skip=(*SEARCH_FORM_FIELDS, *form_fields, *errors)),
        "clear_href": request.path,
        "page": None,
    }
    if not valid:
        context["errors"] = _form_errors(params, filterset.form)
        return context, 400
    page, page_error = _paginate(filterset.qs, request.GET.get("page"))
    if page_error:
        context["page_error"] = page_error
        context["first_page_href"] = _query(params)
        return context, 400
    facets = _facets(facets_of, params, filterset)
    context.update(
        page=page,
        page_numbers=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        active_filters=_active_filters(params, filterset),
        facet_groups=_facet_groups(params, filterset, facets, facet_names),
        hidden_deleted=_hidden_deleted(params, filterset, facets),
        chosen_count=sum(len(values) for key, values in params.items() if key in facet_names),
    )
    if not page.paginator.count:  # "did you mean" and the filters that would give results
        context["zero_results"] = zero_results.help_context(
            filterset, lambda **changes: _query(params, **changes), context["active_filters"]
        )
    return context, 200


def _my_gminas(request) -> list[dict]:
    """For a signed-in representative: the gminas of their cooperatives, as places for "near" (one query)."""
    if not request.user.is_authenticated:
        return []
    return [{"code": code, "label": str(gmina)} for code, gmina in selectors.user_gminas(user=request.user).items()]


# --- Pages ----------------------------------------------------------------------------------------------


@require_safe
def home(request):
    """The front page: a search box, the registry in numbers, the newest cooperatives and offers.

    The numbers count the whole registry and every visitor sees the same ones, so they are computed once per
    HOME_CACHE_SECONDS (by one request at a time, core.cache.compute_once); the newest entries are read live."""
    return render(
        request,
        "cooperatives/home.html",
        {
            "counts": compute_once("cooperatives:home-counts", selectors.registry_headline_counts, HOME_CACHE_SECONDS),
            "newest_cooperatives": selectors.newest_cooperatives(),
            "newest_offers": selectors.newest_offers(),
        },
    )


@require_safe
def cooperative_list(request):
    """The catalogue of cooperatives: search, filters with counts, sorting and pages, all in the URL."""
    filterset = selectors.cooperative_list(data=request.GET)
    context, status = _catalogue(
        request,
        filterset,
        facets_of=selectors.cooperative_facets,
        facet_names=COOPERATIVE_FACETS,
        form_fields=buyer_filters.NAMES,
    )
    if context["page"] is not None:
        context["results"] = selectors.with_main_categories(context["page"].object_list)
        # The buyer's shortlist (session): its ticks survive paging and new searches.
        shortlisted = set(shortlist.krs_numbers(request.session))
        for cooperative in context["results"]:
            cooperative.in_shortlist = cooperative.krs_number in shortlisted
        context["shortlist_count"] = len(shortlisted)
    params = _params(request.GET)
    context["map_href"] = reverse("cooperatives:map") + _query(params)
    context["open_data_href"] = reverse("cooperatives:open-data") + _query(params, ordering=None)
    context["buyer_filters"] = buyer_filters.form_context(request.GET)
    return render(request, "cooperatives/cooperative_list.html", context, status=status)


@require_safe
def offer_list(request):
    """The catalogue of public offers: search, filters with counts, sorting and pages, all in the URL."""
    filterset = selectors.offer_list(data=request.GET)
    context, status = _catalogue(
        request,
        filterset,
        facets_of=selectors.offer_catalogue_facets,
        facet_names=OFFER_FACETS,
        form_fields=("serves", *buyer_filters.NAMES),
    )
    serves = request.GET.get("serves", "")
    context["serves"] = {
        "current": serves,
        "label": filterset.filters["serves"].label,
        "options": selectors.serves_options(code=serves if "serves" not in filterset.form.errors else ""),
    }
    if context["page"] is not None:
        context["results"] = list(context["page"].object_list)
    context["buyer_filters"] = buyer_filters.form_context(request.GET)
    return render(request, "cooperatives/offer_list.html", context, status=status)


def _organization_json_ld(request, cooperative: Cooperative) -> dict:
    """schema.org Organization of a public profile: only data the profile itself publishes."""
    url = site.absolute_url(cooperative.get_absolute_url())
    identifiers = [("KRS", cooperative.krs_number), ("NIP", cooperative.nip), ("REGON", cooperative.regon)]
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": url,
        "url": url,
        "name": cooperative.name,
        "legalName": cooperative.name,
        "identifier": [
            {"@type": "PropertyValue", "propertyID": kind, "value": value} for kind, value in identifiers if value
        ],
    }
    address = {
        "streetAddress": cooperative.street,
        "postalCode": cooperative.postal_code,
        "addressLocality": cooperative.town,
        "addressRegion": cooperative.voivodeship.name.lower(),
        "addressCountry": "PL",
    }
    data["address"] = {"@type": "PostalAddress", **{key: value for key, value in address.items() if value}}
    optional = {
        "alternateName": cooperative.short_name,
        "taxID": cooperative.nip,
        "description": cooperative.description,
        "foundingDate": cooperative.krs_registration_date,
        "email": cooperative.public_email,
        "telephone": cooperative.public_phone,
        "sameAs": [cooperative.public_website] if cooperative.public_website else None,
    }
    data.update({key: value for key, value in optional.items() if value})
    if cooperative.latitude is not None and cooperative.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(cooperative.latitude),
            "longitude": float(cooperative.longitude),
        }
    if cooperative.logo:
        data["logo"] = site.absolute_url(cooperative.logo.url)
    photos = [site.absolute_url(photo.image.url) for photo in cooperative.photos.all()]
    if photos:
        data["image"] = photos
    if cooperative.employees_count is not None:
        data["numberOfEmployees"] = {"@type": "QuantitativeValue", "value": cooperative.employees_count}
    if cooperative.public_offers and cooperative.status != Cooperative.Status.DELETED:
        data["makesOffer"] = [
            {
                "@type": "Offer",
                "name": offer.title,
                "category": str(offer.category),
                "url": site.absolute_url(offer.get_absolute_url()),
            }
            for offer in cooperative.public_offers
        ]
    return data


def _json_for_script(data) -> str:
    """JSON safe inside a <script> element: <, > and & escaped, so no text in the data can end the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))  # noqa: S308


@require_safe
def cooperative_detail(request, krs):
    """A cooperative's public profile, at a stable address by KRS number."""
    try:
        cooperative = selectors.cooperative_detail(krs=krs)
    except Cooperative.DoesNotExist:
        raise Http404(_("W rejestrze nie ma spółdzielni o numerze KRS %(krs)s.") % {"krs": krs}) from None
    return render(
        request,
        "cooperatives/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "show_offers": cooperative.status != Cooperative.Status.DELETED,
            "in_shortlist": cooperative.krs_number in shortlist.krs_numbers(request.session),
            "json_ld": _json_for_script(_organization_json_ld(request, cooperative)),
            "reserved_share": reserved.declared_share(cooperative),
        },
    )


@require_safe
def offer_detail(request, pk):
    """A public offer: active, of a cooperative not deleted from the KRS."""
    try:
        offer = selectors.offer_detail(pk=pk)
    except Offer.DoesNotExist:
        raise Http404(_("Nie ma takiej oferty albo nie jest już aktualna.")) from None
    return render(request, "cooperatives/offer_detail.html", {"offer": offer, "cooperative": offer.cooperative})


@require_safe
def map_view(request):
    """The map of cooperatives, filtered like the catalogue (the same filter form); map.js asks map_data for what
    the view shows, starting from the area the filters choose."""
    params = _params(request.GET)
    filterset = selectors.cooperative_list(data=request.GET, queryset=Cooperative.objects.none())
    filter_query = _filter_query(params)
    list_href = reverse("cooperatives:list") + (f"?{filter_query}" if filter_query else "")
    errors = set(filterset.form.errors)
    context = {
        "filterset": filterset,
        "search": request.GET.get("search", ""),
        "near": {
            "value": request.GET.get("near", ""),
            "km": request.GET.get("km", ""),
            "default_km": geo.DEFAULT_KM,
            "max_km": geo.MAX_KM,
            "mine": _my_gminas(request),
        },
        "hidden_filters": _hidden_filters(params, skip=(*SEARCH_FORM_FIELDS, *errors)),
        "list_href": list_href,
        "clear_href": request.path,
    }
    if not filterset.is_valid():
        context["errors"] = _form_errors(params, filterset.form)
        return render(request, "cooperatives/map.html", context, status=400)
    facets = _facets(selectors.cooperative_facets, params, filterset)
    context.update(
        active_filters=_active_filters(params, filterset),
        facet_groups=_facet_groups(params, filterset, facets, COOPERATIVE_FACETS),
        hidden_deleted=_hidden_deleted(params, filterset, facets),
        chosen_count=sum(len(values) for key, values in params.items() if key in COOPERATIVE_FACETS),
        bounds=selectors.map_bounds(filterset=filterset) if filterset.chosen() - {"ordering"} else None,
        data_url=reverse("cooperatives:map-data") + (f"?{filter_query}" if filter_query else ""),
        detail_url_template=reverse("cooperatives:detail", kwargs={"krs": "0000000000"}),
    )
    return render(request, "cooperatives/map.html", context)


@require_safe
def map_data(request):
    """JSON for the visible part of the map: points, or grid clusters counted by the database."""
    data, errors = map_request(data=request.GET)
    dumps = {"ensure_ascii": False, "separators": (",", ":")}
    if errors:
        return JsonResponse(
            {"message": _("Nieprawidłowe parametry mapy."), "errors": errors}, status=400, json_dumps_params=dumps
        )
    response = JsonResponse(data, json_dumps_params=dumps)
    response["Cache-Control"] = "public, max-age=60"
    return response
