"""A small registry covering every filter value, shared by the API and open-data tests."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from cooperatives.models import Cooperative, CooperativeActivity, FounderKind, Offer, OfferCategory, TargetGroup

from ..factories import UserFactory
from .factories import CooperativeFactory, MembershipFactory, OfferFactory


def build_sample_registry() -> SimpleNamespace:
    """Three cooperatives in three voivodeships with offers, contacts with and without consent, and a representative
    whose personal data must never leak."""
    lodz = CooperativeFactory(
        name="Spółdzielnia Socjalna Pod Dębem",
        short_name="Pod Dębem",
        krs_number="0000123456",
        town="Łódź",
        gmina_id="1061011",
        street="ul. Piotrkowska 1",
        postal_code="90-001",
        description="Catering dla szkół i przedszkoli",
        latitude=Decimal("51.759000"),
        longitude=Decimal("19.456000"),
        location_precision=Cooperative.LocationPrecision.EXACT,
        email="biuro@poddebem.example.org",
        phone="+48 600 100 200",
        website="https://poddebem.example.org",
        publish_email=True,
        publish_phone=False,
        publish_website=True,
        is_social_enterprise=True,
        ps_decision_number="PS/10/2023",
        ps_decision_date=datetime.date(2023, 3, 1),
        ps_voivode_id="10",
        ps_aim=Cooperative.SocialEnterpriseAim.REINTEGRATION,
        has_quality_mark=True,
        members_count=7,
        employees_count=9,
        employees_at_risk_count=4,
        counts_as_of=datetime.date(2025, 12, 31),
        krs_registration_date=datetime.date(2015, 5, 4),
    )
    poznan = CooperativeFactory(
        name="Zielony Zakątek",
        krs_number="0000654321",
        town="Poznań",
        gmina_id="3064011",
        postal_code="61-001",
        description="Pielęgnacja terenów zielonych",
        founder_type=Cooperative.FounderType.LEGAL_PERSONS,
        status=Cooperative.Status.LIQUIDATION,
        email="prezes.kowalski@example.org",
        phone="+48 500 000 000",
        website="https://zakatek.example.org",
        publish_email=False,
        publish_phone=False,
        publish_website=False,
        is_ozrss_member=True,
    )
    warsaw = CooperativeFactory(
        name="Ślusarnia Socjalna",
        krs_number="0000777777",
        town="Warszawa",
        gmina_id="1465011",
        postal_code="00-001",
        latitude=Decimal("52.229700"),
        longitude=Decimal("21.012200"),
        location_precision=Cooperative.LocationPrecision.GMINA_CENTRE,
        founder_type=Cooperative.FounderType.MIXED,
    )
    lodz.target_groups.set(TargetGroup.objects.filter(code__in=["bezrobotni", "niepelnosprawni"]))
    poznan.target_groups.set(TargetGroup.objects.filter(code="osoby-starsze"))
    lodz.founder_kinds.set(FounderKind.objects.filter(code="bezrobotni"))
    poznan.founder_kinds.set(FounderKind.objects.filter(code__in=["jst", "organizacje-pozarzadowe"]))
    CooperativeActivity.objects.create(cooperative=lodz, code="56.21.Z", version="2007", is_main=True)
    CooperativeActivity.objects.create(cooperative=lodz, code="88.10.Z", version="2025")

    catering = OfferCategory.objects.get(slug="catering")
    greenery = OfferCategory.objects.get(slug="pielegnacja-zieleni")
    cleaning = OfferCategory.objects.get(slug="sprzatanie-obiektow")
    lunches = OfferFactory(
        cooperative=lodz,
        title="Obiady dla szkół",
        category=catering,
        service_area=Offer.ServiceArea.VOIVODESHIPS,
        price_note="od 15 zł",
        cpv_code="55520000-1",
        zakup_prospoleczny_year=2024,
    )
    lunches.area_voivodeships.set(["10", "14"])
    mowing = OfferFactory(cooperative=poznan, title="Koszenie trawników", category=greenery)
    cleaning_offer = OfferFactory(
        cooperative=warsaw, title="Sprzątanie biur", category=cleaning, service_area=Offer.ServiceArea.NATIONAL
    )
    OfferFactory(cooperative=lodz, title="Oferta wycofana", category=catering, is_active=False)

    representative = UserFactory(email="reprezentant.tajny@example.org", first_name="Jan", last_name="Tajny")
    MembershipFactory(cooperative=lodz, user=representative)
    return SimpleNamespace(
        lodz=lodz,
        poznan=poznan,
        warsaw=warsaw,
        lunches=lunches,
        mowing=mowing,
        cleaning=cleaning_offer,
        representative=representative,
    )


def add_cooperatives(count: int, *, offers_each: int = 1) -> None:
    """More of the same kind, for showing that query counts do not grow with the number of rows."""
    catering = OfferCategory.objects.get(slug="catering")
    for _ in range(count):
        cooperative = CooperativeFactory()
        cooperative.target_groups.set(TargetGroup.objects.filter(code="bezrobotni"))
        cooperative.founder_kinds.set(FounderKind.objects.filter(code="bezrobotni"))
        CooperativeActivity.objects.create(cooperative=cooperative, code="56.21.Z", version="2007", is_main=True)
        for _ in range(offers_each):
            offer = OfferFactory(cooperative=cooperative, category=catering, service_area=Offer.ServiceArea.POWIATS)
            offer.area_powiats.set(["1061"])
