"""Reads composed per screen or endpoint. Views and API views call these; they never build querysets themselves."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Min, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from core.text import data_label

from .filters import Certification, CooperativeFilterSet, OfferFilterSet
from .geo import position as geo_position
from .models import Cooperative, DeliveryStatus, Membership, Offer, OfferCategory, TerritorialUnit

DEMO_FLAG_CACHE_KEY = "cooperatives:has-demo-data"


def registry_has_demo_data() -> bool:
    """Whether the registry holds generated demo data (the site then says so on every page)."""
    value = cache.get(DEMO_FLAG_CACHE_KEY)
    if value is None:
        value = Cooperative.objects.filter(is_demo=True).exists()
        cache.set(DEMO_FLAG_CACHE_KEY, value, 300)
    return value


# Search columns are for the database only; lists never need them in Python.
SEARCH_COLUMNS = ("search_text", "search_vector")


def cooperative_base_queryset():
    return Cooperative.objects.select_related("gmina", "powiat", "voivodeship").defer(*SEARCH_COLUMNS)


def cooperative_list(*, data, queryset=None) -> CooperativeFilterSet:
    """The filtered, ordered cooperatives for the catalogue, the API and open data.

    Returns the bound FilterSet: `.is_valid()`, `.errors` and `.qs` are the caller's to use.
    """
    queryset = queryset if queryset is not None else cooperative_base_queryset()
    return CooperativeFilterSet(data=data, queryset=queryset)


def offer_base_queryset():
    return (
        Offer.objects.public()
        .select_related("category", "category__parent", "cooperative", "cooperative__gmina", "cooperative__voivodeship")
        .defer(*SEARCH_COLUMNS, *(f"cooperative__{c}" for c in SEARCH_COLUMNS), "cooperative__description")
    )


def offer_list(*, data, queryset=None) -> OfferFilterSet:
    queryset = queryset if queryset is not None else offer_base_queryset()
    return OfferFilterSet(data=data, queryset=queryset)


def cooperative_detail(*, krs: str) -> Cooperative:
    """One cooperative with everything its public profile shows. Raises Cooperative.DoesNotExist."""
    offers = Offer.objects.active().select_related("category", "category__parent").order_by("title", "pk")
    return (
        cooperative_base_queryset()
        .select_related("ps_voivode")
        .prefetch_related(
            "target_groups",
            "founder_kinds",
            "activities",
            "photos",
            Prefetch("offers", queryset=offers, to_attr="public_offers"),
        )
        .get(krs_number=krs)
    )


def _counts(queryset, field: str) -> dict:
    return {
        row[field]: row["n"]
        for row in queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
        if row[field] is not None
    }


def _unit_counts(queryset, field: str, level: str) -> list[tuple[TerritorialUnit, int]]:
    """Counts per territorial unit of `field` (a foreign key to TerritorialUnit), with the units' names read in the
    same grouped query, in TERYT code order. `queryset` holds each row once (see cooperative_facets)."""
    rows = queryset.order_by().values(field, f"{field}__name", f"{field}__kind_name").annotate(n=Count("pk"))
    units = [
        (
            TerritorialUnit(
                code=row[field], level=level, name=row[f"{field}__name"], kind_name=row[f"{field}__kind_name"]
            ),
            row["n"],
        )
        for row in rows
        if row[field] is not None
    ]
    return sorted(units, key=lambda item: item[0].code)


def _value_counts(queryset, conditions: dict[str, dict[str, Q]]) -> dict[str, dict[str, int]]:
    """For each facet, the number of rows matching each of its values' conditions: one scan for all of them."""
    keys = {
        (facet, value): f"f{i}" for i, (facet, value) in enumerate((f, v) for f in conditions for v in conditions[f])
    }
    row = queryset.order_by().aggregate(
        **{keys[facet, value]: Count("pk", filter=conditions[facet][value]) for facet, value in keys}
    )
    return {facet: {value: row[keys[facet, value]] for value in conditions[facet]} for facet in conditions}


def _cooperative_value_conditions() -> dict[str, dict[str, Q]]:
    certified_offers = Offer.objects.filter(is_active=True, zakup_prospoleczny_year__isnull=False)
    return {
        "founder_type": {value: Q(founder_type=value) for value in Cooperative.FounderType.values},
        "status": {value: Q(status=value) for value in Cooperative.Status.values},
        "social_enterprise": {"true": Q(is_social_enterprise=True), "false": Q(is_social_enterprise=False)},
        "certification": {
            Certification.QUALITY_MARK: Q(has_quality_mark=True),
            Certification.OZRSS: Q(is_ozrss_member=True),
            # A hashed subplan: the certified offers are read once, not looked up per cooperative.
            Certification.ZAKUP_PROSPOLECZNY: Q(pk__in=certified_offers.values("cooperative_id")),
        },
    }


def cooperative_facets(*, filterset: CooperativeFilterSet) -> dict[str, list[dict]]:
    """Counts per value of each facet, each computed with every filter of the (valid) `filterset` applied except the
    facet's own. Values with no cooperatives are left out. Territorial facets go one level down from what is chosen.

    A facet whose own filter is not chosen counts within the fully filtered cooperatives, so all such facets with a
    few values (founder type, status, social enterprise, certificates) share one scan with a conditional count per
    value; a chosen one gets its own. The filters never repeat a cooperative (the target-group filter joins one row
    of a unique pair; the others are conditions or EXISTS), so plain counts are exact. Target groups and categories
    are counted from the link and offer tables, restricted to the filtered cooperatives' ids."""
    # The status filter always applies (by default it leaves out struck-off cooperatives), so the status facet is
    # always counted without it: it then tells how many struck-off cooperatives the default hides.
    chosen = filterset.chosen() | {"status"}

    def filtered(*names):
        return filterset.queryset_without(Cooperative.objects.all(), *names)

    facets: dict[str, list[dict]] = {}
    facets["voivodeship"] = [
        {"value": unit.code, "label": unit.name.lower(), "count": n}
        for unit, n in _unit_counts(filtered("voivodeship", "powiat", "gmina"), "voivodeship", "voivodeship")
    ]
    if "voivodeship" in chosen:
        facets["powiat"] = [
            {"value": unit.code, "label": str(unit), "count": n}
            for unit, n in _unit_counts(filtered("powiat", "gmina"), "powiat", TerritorialUnit.Level.POWIAT)
        ]
    if "powiat" in chosen:
        facets["gmina"] = [
            {"value": unit.code, "label": str(unit), "count": n}
            for unit, n in _unit_counts(filtered("gmina"), "gmina", TerritorialUnit.Level.GMINA)
        ]

    conditions = _cooperative_value_conditions()
    shared = {name: conditions[name] for name in conditions if name not in chosen}
    if "status" in filterset.chosen():
        counts = _value_counts(filtered(), shared)
    else:
        # The default status filter: the other facets count without the struck-off ones, the status facet counts
        # them all, in the same scan.
        kept = ~Q(status=Cooperative.Status.DELETED)
        shared = {name: {value: q & kept for value, q in values.items()} for name, values in shared.items()}
        counts = _value_counts(filtered("status"), {**shared, "status": conditions["status"]})
    for name in conditions:
        if name in chosen and name in filterset.chosen():
            counts |= _value_counts(filtered(name), {name: conditions[name]})
    for name, choices in (
        ("founder_type", Cooperative.FounderType.choices),
        ("status", Cooperative.Status.choices),
        ("certification", Certification.COOPERATIVE_CHOICES),
    ):
        facets[name] = [
            {"value": value, "label": label, "count": counts[name][value]}
            for value, label in choices
            if counts[name][value]
        ]
    facets["social_enterprise"] = [
        {"value": "true", "label": gettext("tak"), "count": counts["social_enterprise"]["true"]},
        {"value": "false", "label": gettext("nie"), "count": counts["social_enterprise"]["false"]},
    ]

    def of_filtered(queryset, field: str, facet: str):
        """`queryset` (rows linked to a cooperative by `field`) limited to the filtered cooperatives (always: the
        status filter applies even when none is chosen)."""
        return queryset.filter(**{f"{field}__in": filtered(facet).values("pk")})

    links = (
        of_filtered(Cooperative.target_groups.through.objects.all(), "cooperative", "target_group")
        .values("targetgroup__code", "targetgroup__name", "targetgroup__sort_order")
        .annotate(n=Count("pk"))
        .order_by("targetgroup__sort_order", "targetgroup__name")
    )
    facets["target_group"] = [
        {"value": row["targetgroup__code"], "label": data_label(row["targetgroup__name"]), "count": row["n"]}
        for row in links
    ]

    category_counts = {
        row["top"]: row["n"]
        for row in of_filtered(Offer.objects.filter(is_active=True), "cooperative", "category")
        .annotate(top=Coalesce("category__parent_id", "category_id"))
        .values("top")
        .annotate(n=Count("cooperative_id", distinct=True))
        .order_by()
    }
    facets["category"] = [
        {"value": category.slug, "label": data_label(category.name), "count": category_counts[category.pk]}
        for category in OfferCategory.objects.filter(parent__isnull=True)
        if category.pk in category_counts
    ]
    return {name: facets[name] for name in FACET_ORDER if name in facets}


# The order of the facets in the answer (as it was built before the shared scan).
FACET_ORDER = (
    "voivodeship",
    "powiat",
    "gmina",
    "founder_type",
    "status",
    "social_enterprise",
    "target_group",
    "category",
    "certification",
)


def offer_facets(*, filterset: OfferFilterSet) -> dict[str, list[dict]]:
    """Counts per category (top level) and per voivodeship of the offering cooperative (a valid `filterset`)."""

    def filtered(*names):
        return filterset.queryset_without(Offer.objects.public(), *names)

    category_counts = {
        row["top"]: row["n"]
        for row in filtered("category")
        .annotate(top=Coalesce("category__parent_id", "category_id"))
        .values("top")
        .annotate(n=Count("pk"))
    }
    service_counts = _counts(filtered("service_area"), "service_area")
    return {
        "category": [
            {"value": c.slug, "label": data_label(c.name), "count": category_counts[c.pk]}
            for c in OfferCategory.objects.filter(parent__isnull=True)
            if c.pk in category_counts
        ],
        "voivodeship": [
            {"value": unit.code, "label": unit.name.lower(), "count": n}
            for unit, n in _unit_counts(
                filtered("voivodeship", "powiat", "gmina"), "cooperative__voivodeship", "voivodeship"
            )
        ],
        "service_area": [
            {"value": v, "label": label, "count": service_counts[v]}
            for v, label in Offer.ServiceArea.choices
            if v in service_counts
        ],
    }


def registry_headline_counts() -> dict[str, int]:
    """Numbers for the home page: cooperatives by status and active offers."""
    counts = Cooperative.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Cooperative.Status.ACTIVE)),
        social_enterprises=Count("pk", filter=Q(is_social_enterprise=True)),
    )
    counts["offers"] = Offer.objects.public().count()
    return counts


def newest_cooperatives(limit: int = 6):
    return cooperative_base_queryset().exclude(status=Cooperative.Status.DELETED).order_by("-created_at", "-pk")[:limit]


def newest_offers(limit: int = 6):
    return offer_base_queryset().order_by("-created_at", "-pk")[:limit]


def with_main_categories(cooperatives) -> list[Cooperative]:
    """The given cooperatives (one catalogue page), each with `main_categories`: the top-level categories of its
    active offers in taxonomy order. One query, whatever the page size."""
    cooperatives = list(cooperatives)
    rows = (
        Offer.objects.active()
        .filter(cooperative__in=[c.pk for c in cooperatives])
        .annotate(
            top_name=Coalesce("category__parent__name", "category__name"),
            top_order=Coalesce("category__parent__sort_order", "category__sort_order"),
        )
        .values_list("cooperative_id", "top_order", "top_name")
        .distinct()
        .order_by("cooperative_id", "top_order", "top_name")
    )
    names: dict[int, list[str]] = {}
    for cooperative_id, _order, name in rows:
        names.setdefault(cooperative_id, []).append(data_label(name))
    for cooperative in cooperatives:
        cooperative.main_categories = names.get(cooperative.pk, [])
    return cooperatives


def offer_detail(*, pk: int) -> Offer:
    """One public offer with its cooperative and the areas it serves. Raises Offer.DoesNotExist."""
    return (
        offer_base_queryset()
        .select_related("cooperative__powiat")
        .prefetch_related("area_powiats", "area_voivodeships")
        .get(pk=pk)
    )


def offer_catalogue_facets(*, filterset: OfferFilterSet) -> dict[str, list[dict]]:
    """offer_facets plus what the offers page also narrows by: powiat and gmina of the seat (one level below the
    chosen unit) and the Zakup Prospołeczny certificate."""
    facets = offer_facets(filterset=filterset)
    chosen = filterset.chosen()

    def filtered(*names):
        return filterset.queryset_without(Offer.objects.public(), *names)

    if "voivodeship" in chosen:
        facets["powiat"] = [
            {"value": unit.code, "label": str(unit), "count": n}
            for unit, n in _unit_counts(
                filtered("powiat", "gmina"), "cooperative__powiat", TerritorialUnit.Level.POWIAT
            )
        ]
    if "powiat" in chosen:
        facets["gmina"] = [
            {"value": unit.code, "label": str(unit), "count": n}
            for unit, n in _unit_counts(filtered("gmina"), "cooperative__gmina", TerritorialUnit.Level.GMINA)
        ]
    certified = filtered("certification").filter(zakup_prospoleczny_year__isnull=False).count()
    facets["certification"] = [
        {"value": value, "label": label, "count": certified}
        for value, label in Certification.OFFER_CHOICES
        if certified
    ]
    return facets


def map_bounds(*, filterset: CooperativeFilterSet) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the cooperatives the (valid) filters choose, for the map to zoom to;
    None when none has a position. One query."""
    position = geo_position()
    row = (
        filterset.queryset_without(Cooperative.objects.all())
        .annotate(lat=position[0], lon=position[1])
        .aggregate(south=Min("lat"), north=Max("lat"), west=Min("lon"), east=Max("lon"))
    )
    if row["south"] is None:
        return None
    return row["south"], row["west"], row["north"], row["east"]


def user_gminas(*, user) -> dict[str, TerritorialUnit]:
    """The gminas of the cooperatives `user` represents (code -> unit), for "near my gmina"."""
    memberships = Membership.objects.filter(user=user).select_related("cooperative__gmina__parent")
    return {m.cooperative.gmina_id: m.cooperative.gmina for m in memberships.order_by("cooperative__gmina_id")}


def serves_options(*, code: str = "") -> list[TerritorialUnit]:
    """Areas a buyer can ask offers to serve: every voivodeship, and the powiats of the one `code` lies in."""
    units = Q(level=TerritorialUnit.Level.VOIVODESHIP)
    if code:
        units |= Q(level=TerritorialUnit.Level.POWIAT, code__startswith=code[:2])
    return list(TerritorialUnit.objects.filter(units).order_by("code"))


# --- REST API ------------------------------------------------------------------------------------------------


# What the API shows of a cooperative's offers (a reference with its category): loading whole offers, descriptions
# included, for every cooperative of a page cost more than the rest of the page.
OFFER_REF_FIELDS = (
    "id",
    "title",
    "cooperative_id",
    "category__id",
    "category__slug",
    "category__name",
    "category__parent__id",
    "category__parent__slug",
    "category__parent__name",
)


def _public_offers_prefetch() -> Prefetch:
    offers = Offer.objects.active().select_related("category", "category__parent").order_by("title", "pk")
    return Prefetch("offers", queryset=offers.only(*OFFER_REF_FIELDS), to_attr="public_offers")


def cooperative_api_queryset():
    """Cooperatives with everything the API shows of each, in a fixed number of queries per page.

    The many-valued relations are prefetched into lists (`to_attr`): Django then skips building a related manager
    and a filtered queryset for every row and relation, which cost more than the queries themselves."""
    return (
        cooperative_base_queryset()
        .select_related("ps_voivode")
        .prefetch_related(
            Prefetch("target_groups", to_attr="public_target_groups"),
            Prefetch("founder_kinds", to_attr="public_founder_kinds"),
            Prefetch("activities", to_attr="public_activities"),
            _public_offers_prefetch(),
        )
    )


def offer_api_queryset():
    return offer_base_queryset().prefetch_related("area_powiats", "area_voivodeships")


def offer_category_queryset():
    """The two-level taxonomy: each category with its parent and its children."""
    return OfferCategory.objects.select_related("parent").prefetch_related("children")


def territorial_unit_queryset():
    """Voivodeships, powiats and gminas (parts of gminas are an internal detail of the TERC register)."""
    return (
        TerritorialUnit.objects.exclude(level=TerritorialUnit.Level.GMINA_PART)
        .select_related("parent")
        .order_by("code")
    )


# --- Shortlist and inquiries -----------------------------------------------------------------------------------


def shortlist_cooperatives(*, krs_numbers: list[str]) -> list[Cooperative]:
    """The cooperatives of a buyer's shortlist, in the order they were added (struck-off ones are left out)."""
    found = {
        coop.krs_number: coop
        for coop in cooperative_base_queryset()
        .exclude(status=Cooperative.Status.DELETED)
        .filter(krs_number__in=krs_numbers)
    }
    return [found[krs] for krs in krs_numbers if krs in found]


@dataclass(frozen=True)
class InquiryRoute:
    """Where an inquiry to one cooperative goes. `addresses` (the registry's address first, then the
    representatives') are for sending only: the registry address may be unpublished and is never shown."""

    cooperative: Cooperative
    registry_address: str
    addresses: tuple[str, ...]

    @property
    def status(self) -> str:
        """PENDING when it can be sent; otherwise why it cannot."""
        if not self.cooperative.accepts_inquiries:
            return DeliveryStatus.OPTED_OUT
        if not self.addresses:
            return DeliveryStatus.NO_ADDRESS
        return DeliveryStatus.PENDING

    @property
    def can_be_sent(self) -> bool:
        return self.status == DeliveryStatus.PENDING


def inquiry_routes(*, cooperatives: list[Cooperative]) -> list[InquiryRoute]:
    """Each cooperative's inquiry addresses: its registry e-mail (published or not) and its active representatives'
    e-mails, without repeats (case-insensitive). One query for all the representatives."""
    representatives: dict[int, list[str]] = {}
    for coop_id, email in (
        Membership.objects.filter(cooperative__in=[coop.pk for coop in cooperatives], user__is_active=True)
        .exclude(user__email="")
        .order_by("cooperative_id", "pk")
        .values_list("cooperative_id", "user__email")
    ):
        representatives.setdefault(coop_id, []).append(email)
    routes = []
    for coop in cooperatives:
        addresses: list[str] = []
        for address in [coop.email, *representatives.get(coop.pk, [])]:
            if address and address.lower() not in {known.lower() for known in addresses}:
                addresses.append(address)
        routes.append(InquiryRoute(cooperative=coop, registry_address=coop.email, addresses=tuple(addresses)))
    return routes
