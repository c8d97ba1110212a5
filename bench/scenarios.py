"""What the benchmark measures: the pages and endpoints of issue 7, with parameters picked from the data set.

Endpoints of apps that are not installed yet (no URL to reverse) are skipped with a note, never faked.
"""

from django.db.models import Count
from django.urls import NoReverseMatch, reverse

LARGE_TABLES = ("cooperatives_cooperative", "cooperatives_offer")


def _reverse(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def dataset_summary() -> str:
    from cooperatives.models import Cooperative, Offer

    parts = [f"{Cooperative.objects.count():,} cooperatives", f"{Offer.objects.count():,} offers"]
    try:
        from monitoring.models import Answer, Wave

        parts += [f"{Wave.objects.count():,} waves", f"{Answer.objects.count():,} answers"]
    except Exception:  # noqa: BLE001 - the monitoring app may not have these models yet
        pass
    return ", ".join(parts)


def _busiest_powiat() -> str:
    from cooperatives.models import Cooperative

    row = Cooperative.objects.values("powiat_id").annotate(n=Count("pk")).order_by("-n").first()
    return row["powiat_id"] if row else "1465"


def _sample_krs() -> str:
    from cooperatives.models import Cooperative

    return Cooperative.objects.order_by("pk").values_list("krs_number", flat=True)[Cooperative.objects.count() // 2]


# Two typos ("spółdzielnia smakosz"): a word in nearly every name and a name word; ~3,200 matches at 100,000
# cooperatives. (An earlier query, "spoldzelnia gastronomja", matched nothing in the demo data: no row says
# "gastronomia", so it measured an empty page.)
TYPO_QUERY = "spoldzelnia+smakoz"


def typo_search_path() -> str:
    return reverse("cooperatives:list") + f"?search={TYPO_QUERY}"


SUGGESTION_PREFIXES = ("sp", "spoldz", "smak", "lodz", "gastro")


def endpoints(client):
    krs = _sample_krs()
    powiat = _busiest_powiat()
    yield "catalogue search with a typo (HTML)", typo_search_path(), ""
    yield (
        "catalogue filtered: voivodeship + category (HTML)",
        reverse("cooperatives:list") + "?voivodeship=30&category=gastronomia",
        "",
    )
    yield (
        "catalogue filtered: voivodeship + category (HTML), cold cache",
        reverse("cooperatives:list") + "?voivodeship=30&category=gastronomia",
        "",
        "cold",
    )
    yield "offers catalogue search (HTML)", reverse("cooperatives:offers") + "?search=catering", ""
    yield "cooperative profile (HTML)", reverse("cooperatives:detail", kwargs={"krs": krs}), ""
    yield "API cooperatives list", "/api/v1/cooperatives/?page_size=20", ""
    yield "API cooperatives list, search with a typo", f"/api/v1/cooperatives/?search={TYPO_QUERY}", ""
    yield "API cooperative detail", f"/api/v1/cooperatives/{krs}/", ""
    yield "API offers list", "/api/v1/offers/?page_size=20", ""
    yield "map data: whole country", reverse("cooperatives:map-data") + "?bbox=14.0,49.0,24.2,55.0&zoom=6", ""
    yield (
        "map data: whole country, cold cache",
        reverse("cooperatives:map-data") + "?bbox=14.0,49.0,24.2,55.0&zoom=6",
        "",
        "cold",
    )
    # The search box's suggestions (target p95 30 ms): a common prefix (a word in nearly every name: bounded at
    # suggestions.CANDIDATES), a rarer name word, a place, and the portal-wide search page.
    for prefix in SUGGESTION_PREFIXES:
        path = _reverse("core:search-suggestions")
        if path:
            yield f"search box suggestions: {prefix!r}", f"{path}?q={prefix}", ""
    portal = _reverse("core:search")
    if portal:
        yield "portal-wide search page", f"{portal}?q=catering", ""
    yield "map data: one powiat", reverse("cooperatives:map-data") + f"?powiat={powiat}&zoom=11", f"powiat {powiat}"
    stats = _statistics_path()
    if stats:
        yield "statistics page of one wave", stats, ""
        yield "statistics page of one wave, cold cache", stats, "", "cold"


def _statistics_path():
    try:
        from monitoring.models import Wave
    except ImportError:
        return None
    wave = Wave.objects.filter(status=Wave.Status.PUBLISHED).order_by("-pk").first()
    if wave is None:
        return None
    for name in ("monitoring:wave-statistics", "monitoring:statistics", "monitoring:wave"):
        for kwargs in ({"pk": wave.pk}, {"wave_id": wave.pk}, {"slug": getattr(wave, "slug", "")}):
            path = _reverse(name, **kwargs)
            if path:
                return path
    return None


def exports(client):
    from cooperatives.models import Cooperative

    yield "registry CSV (whole registry)", "/open-data/cooperatives.csv", Cooperative.objects.count()
    microdata = _microdata(client)
    if microdata:
        yield microdata


def _microdata(client):
    try:
        from monitoring.models import Answer, Wave
    except ImportError:
        return None
    from accounts.models import User

    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"email": "bench-staff@example.org", "is_superuser": True, "is_staff": True}
    )
    # Staff must have a second factor (accounts.middleware); the bench user gets one.
    from accounts.middleware import has_totp

    if not has_totp(staff):
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    for name in ("monitoring:microdata-all", "monitoring:microdata"):
        path = _reverse(name)
        if path:
            return "microdata export (all answers, CSV)", path + "?format=csv", Answer.objects.count()
        wave = Wave.objects.order_by("-pk").first()
        path = wave and _reverse(name, pk=wave.pk)
        if path:
            return (
                "microdata export (one wave, CSV)",
                path + "?format=csv",
                Answer.objects.filter(response__wave=wave).count(),
            )
    return None


def load_paths(client) -> list[str]:
    """The load run's mix: the pages and endpoints above, in turn (the typo search twice: it is the commonest)."""
    krs = _sample_krs()
    paths = [
        typo_search_path(),
        reverse("cooperatives:list") + "?voivodeship=30&category=gastronomia",
        reverse("cooperatives:detail", kwargs={"krs": krs}),
        "/api/v1/cooperatives/?page_size=20",
        f"/api/v1/cooperatives/{krs}/",
        "/api/v1/offers/?page_size=20",
        typo_search_path(),
        reverse("cooperatives:map-data") + "?bbox=14.0,49.0,24.2,55.0&zoom=6",
        reverse("cooperatives:map-data") + f"?powiat={_busiest_powiat()}&zoom=11",
    ]
    stats = _statistics_path()
    return paths + [stats] if stats else paths
