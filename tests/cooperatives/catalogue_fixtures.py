"""A small registry for the catalogue and map tests, described as plain data so that tests can compute the
expected results and facet counts from the description, independently of the code under test."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

from django.utils import timezone

from cooperatives.models import Cooperative, CooperativeActivity, FounderKind, OfferCategory, TargetGroup

from .factories import CooperativeFactory, OfferFactory

# gmina -> (powiat, voivodeship) of the TERC codes used below.
GMINAS = {
    "1061011": ("1061", "10"),  # Łódź
    "1001011": ("1001", "10"),  # Bełchatów, gmina miejska
    "1001022": ("1001", "10"),  # Bełchatów, gmina wiejska
    "3064011": ("3064", "30"),  # Poznań
    "1465011": ("1465", "14"),  # Warszawa
}

# Offers: (title, category slug, top-level slug, active, Zakup Prospołeczny year, service area)
SPEC = [
    {
        "name": "Spółdzielnia Socjalna Alfa",
        "town": "Łódź",
        "gmina": "1061011",
        "status": "active",
        "founder_type": "natural",
        "ps": True,
        "quality_mark": True,
        "ozrss": False,
        "target_groups": ["bezrobotni"],
        "location": ("51.759200", "19.456000", "exact"),
        "offers": [
            ("Obiady dla szkół", "catering", "gastronomia", True, 2024, "local"),
            ("Sprzątanie biur", "sprzatanie-obiektow", "sprzatanie", True, None, "national"),
        ],
    },
    {
        "name": "Spółdzielnia Socjalna Beta",
        "town": "Bełchatów",
        "gmina": "1001011",
        "status": "active",
        "founder_type": "legal",
        "ps": False,
        "quality_mark": False,
        "ozrss": True,
        "target_groups": ["niepelnosprawni"],
        "location": ("51.368700", "19.356400", "exact"),
        "offers": [
            ("Remonty mieszkań", "remonty", "budownictwo", True, None, "powiats"),
            ("Dawny catering", "catering", "gastronomia", False, 2020, "local"),
        ],
    },
    {
        "name": "Spółdzielnia Socjalna Gamma",
        "town": "Poznań",
        "gmina": "3064011",
        "status": "liquidation",
        "founder_type": "mixed",
        "ps": False,
        "quality_mark": False,
        "ozrss": False,
        "target_groups": ["bezrobotni", "niepelnosprawni"],
        "location": ("52.406400", "16.925200", "exact"),
        "offers": [],
    },
    {
        "name": "Ślusarnia Socjalna Delta",
        "town": "Warszawa",
        "gmina": "1465011",
        "status": "deleted",
        "founder_type": "natural",
        "ps": False,
        "quality_mark": False,
        "ozrss": False,
        "target_groups": [],
        "location": None,
        "offers": [("Koszenie trawników", "pielegnacja-zieleni", "zielen", True, None, "voivodeships")],
    },
    {
        "name": "Spółdzielnia Socjalna Epsilon",
        "town": "Bełchatów",
        "gmina": "1001022",
        "status": "active",
        "founder_type": "natural",
        "ps": True,
        "quality_mark": False,
        "ozrss": False,
        "target_groups": [],
        "location": ("51.400000", "19.300000", "gmina_centre"),
        "offers": [("Catering na wesela", "catering", "gastronomia", True, None, "voivodeships")],
    },
]


def build_registry() -> dict[str, Cooperative]:
    """Create SPEC in order (so the last is the newest); returns the cooperatives by name."""
    created = {}
    for n, spec in enumerate(SPEC):
        lat, lon, precision = spec["location"] or (None, None, "")
        cooperative = CooperativeFactory(
            name=spec["name"],
            town=spec["town"],
            gmina_id=spec["gmina"],
            status=spec["status"],
            founder_type=spec["founder_type"],
            is_social_enterprise=spec["ps"],
            ps_decision_number=f"PS/{n}/2024" if spec["ps"] else "",
            has_quality_mark=spec["quality_mark"],
            is_ozrss_member=spec["ozrss"],
            latitude=Decimal(lat) if lat else None,
            longitude=Decimal(lon) if lon else None,
            location_precision=precision,
        )
        cooperative.target_groups.set(TargetGroup.objects.filter(code__in=spec["target_groups"]))
        for title, category, _top, active, year, area in spec["offers"]:
            offer = OfferFactory(
                cooperative=cooperative,
                title=title,
                category=OfferCategory.objects.get(slug=category),
                is_active=active,
                zakup_prospoleczny_year=year,
                service_area=area,
            )
            if area == "voivodeships":
                offer.area_voivodeships.add("10")
            if area == "powiats":
                offer.area_powiats.add("1061")
        created[spec["name"]] = cooperative
    return created


def full_profile(**overrides) -> Cooperative:
    """A cooperative with every public field filled in."""
    values = {
        "name": "Spółdzielnia Socjalna Pełny Profil",
        "short_name": "SS Pełny Profil",
        "town": "Łódź",
        "street": "ul. Piotrkowska 100",
        "postal_code": "90-004",
        "gmina_id": "1061011",
        "status": Cooperative.Status.ACTIVE,
        "founder_type": Cooperative.FounderType.MIXED,
        "krs_registration_date": date(2015, 3, 2),
        "is_social_enterprise": True,
        "ps_decision_number": "WPS-II.9020.15.2023",
        "ps_voivode_id": "10",
        "ps_decision_date": date(2023, 5, 17),
        "ps_aim": Cooperative.SocialEnterpriseAim.REINTEGRATION,
        "latitude": Decimal("51.765400"),
        "longitude": Decimal("19.457100"),
        "location_precision": Cooperative.LocationPrecision.EXACT,
        "email": "biuro@pelny-profil.example.org",
        "phone": "+48 42 123 45 67",
        "website": "https://pelny-profil.example.org/",
        "publish_email": True,
        "publish_phone": True,
        "publish_website": True,
        "description": "Gotujemy obiady i sprzątamy biura.",
        "members_count": 12,
        "employees_count": 9,
        "counts_as_of": date(2025, 12, 31),
        "has_quality_mark": True,
        "is_ozrss_member": True,
        "last_audit_date": date(2024, 6, 30),
        "verified_at": timezone.make_aware(timezone.datetime(2026, 1, 15, 10, 0)),
    }
    values.update(overrides)
    cooperative = CooperativeFactory(**values)
    cooperative.target_groups.set(TargetGroup.objects.filter(code__in=["bezrobotni", "osoby-starsze"]))
    cooperative.founder_kinds.set(FounderKind.objects.filter(code__in=["bezrobotni", "organizacje-pozarzadowe"]))
    CooperativeActivity.objects.create(cooperative=cooperative, code="56.21.Z", version="2007", is_main=True)
    CooperativeActivity.objects.create(cooperative=cooperative, code="81.21.Z", version="2025", is_main=False)
    OfferFactory(cooperative=cooperative, title="Catering biurowy", category=OfferCategory.objects.get(slug="catering"))
    OfferFactory(
        cooperative=cooperative,
        title="Oferta wycofana",
        category=OfferCategory.objects.get(slug="catering"),
        is_active=False,
    )
    return cooperative


# --- Reading the pages -----------------------------------------------------------------------------------


def text_of(html: str) -> str:
    """Visible-ish text: tags removed, entities decoded, white space collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def result_names(html: str) -> list[str]:
    """Names of the results in page order (each result's heading link)."""
    listing = re.search(r'<ol class="result-list".*?</ol>', html, re.S)
    if not listing:
        return []
    return [unescape(name) for name in re.findall(r'<h3><a href="[^"]*">([^<]+)</a></h3>', listing.group(0))]


def facet_counts(html: str, name: str) -> dict[str, int]:
    """{label: count} of one facet's values as shown on the page."""
    section = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>', html, re.S)
    if not section:
        return {}
    items = re.findall(
        r'<span class="facet-label">([^<]*)</span>\s*'
        r'<span class="facet-count">(?:<span[^>]*>[^<]*</span>)?(\d+)</span>',
        section.group(1),
    )
    return {unescape(label): int(count) for label, count in items}


def facet_links(html: str, name: str) -> dict[str, str]:
    """{label: href} of one facet's values."""
    section = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>', html, re.S)
    links = re.findall(
        r'<a class="facet-value[^"]*" href="([^"]*)"[^>]*>\s*'
        r'<span[^>]*>[^<]*</span>\s*<span class="facet-label">([^<]*)</span>',
        section.group(1),
    )
    return {unescape(label): unescape(href) for href, label in links}


def public_offers(spec) -> list[tuple]:
    return [offer for offer in spec["offers"] if offer[3]] if spec["status"] != "deleted" else []
