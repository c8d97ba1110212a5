import math
import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from cooperatives import demo
from cooperatives.models import Cooperative, CooperativeActivity, Membership, Offer, TerritorialUnit
from cooperatives.selectors import DEMO_FLAG_CACHE_KEY, registry_has_demo_data
from tests.factories import UserFactory

from .factories import CooperativeFactory, MembershipFactory, OfferFactory

pytestmark = pytest.mark.django_db

SCALE = 200


def seed(*args):
    call_command("seed_demo", "--scale", str(SCALE), "--no-progress", *args)


def registry_fingerprint():
    return list(
        Cooperative.objects.order_by("krs_number").values_list(
            "krs_number", "name", "nip", "regon", "gmina_id", "status", "latitude", "longitude"
        )
    )


@pytest.fixture
def seeded(territory):
    seed()
    return Cooperative.objects.select_related("gmina", "powiat", "voivodeship")


def test_the_same_seed_gives_the_same_registry_whatever_the_batch_size(territory):
    seed("--seed", "7")
    first = registry_fingerprint()
    first_offers = list(Offer.objects.order_by("cooperative__krs_number", "title").values_list("title", "category"))
    seed("--seed", "7", "--replace", "--batch-size", "37")
    assert registry_fingerprint() == first
    assert list(Offer.objects.order_by("cooperative__krs_number", "title").values_list("title", "category")) == (
        first_offers
    )
    seed("--seed", "8", "--replace")
    assert [row[0] for row in registry_fingerprint()] != [row[0] for row in first]


def test_identifiers_are_valid_and_unique(seeded):
    rows = list(seeded.values_list("krs_number", "nip", "regon"))
    assert len(rows) == SCALE
    krs, nips, regons = zip(*rows, strict=True)
    assert all(re.fullmatch(r"\d{10}", number) for number in krs)
    assert all(stdnum_nip.is_valid(number) for number in nips)
    assert all(stdnum_regon.is_valid(number) for number in regons)
    assert len(set(krs)) == len(set(nips)) == len(set(regons)) == SCALE


def test_every_generated_row_passes_model_validation(seeded):
    for cooperative in seeded:
        cooperative.full_clean()
    for offer in Offer.objects.select_related("category", "cooperative")[:300]:
        offer.full_clean()
    for activity in CooperativeActivity.objects.all()[:300]:
        activity.full_clean()


def test_status_shares_and_dates_are_plausible(seeded):
    shares = Counter(seeded.values_list("status", flat=True))
    assert 0.60 <= shares["active"] / SCALE <= 0.65
    assert 0.13 <= shares["liquidation"] / SCALE <= 0.17
    assert shares["inactive"] and shares["deleted"]
    for cooperative in seeded:
        assert demo.FIRST_REGISTRATION <= cooperative.krs_registration_date <= demo.REFERENCE_DATE
        if cooperative.status == Cooperative.Status.ACTIVE:
            assert cooperative.status_date is None
        else:
            assert cooperative.krs_registration_date < cooperative.status_date <= demo.REFERENCE_DATE
        if cooperative.status == Cooperative.Status.LIQUIDATION:
            assert cooperative.name.endswith(" w likwidacji")
        if cooperative.is_social_enterprise:
            assert cooperative.employees_count >= 3 and cooperative.ps_voivode_id == cooperative.voivodeship_id
            assert cooperative.ps_decision_date >= demo.FIRST_PS_DECISION
    # KRS numbers are handed out in the order of registration.
    krs_by_date = list(seeded.order_by("krs_registration_date", "krs_number").values_list("krs_number", flat=True))
    assert krs_by_date == sorted(krs_by_date)


def test_registrations_grow_fastest_before_2015(seeded):
    years = Counter(seeded.values_list("krs_registration_date__year", flat=True))
    assert set(years) <= set(range(2006, 2026))
    # docs/domain.md: 1,262 of about 1,500 registered by the end of 2014.
    assert sum(n for year, n in years.items() if year <= 2014) / SCALE >= 0.6


def test_voivodeship_distribution_follows_the_weights(seeded):
    weights = demo.voivodeship_weights()
    assert sum(weights.values()) == pytest.approx(100)
    assert len(weights) == 16
    top_three = sorted(weights, key=weights.get, reverse=True)[:3]
    assert top_three == ["30", "24", "14"]  # wielkopolskie, śląskie, mazowieckie
    allocation = demo.allocate(1500, weights)
    assert sum(allocation.values()) == 1500
    assert sorted(allocation, key=allocation.get, reverse=True)[:3] == top_three
    # The generated registry is allocated exactly, so at any scale it has the real shape.
    counts = Counter(seeded.values_list("voivodeship_id", flat=True))
    assert counts == Counter({code: n for code, n in demo.allocate(SCALE, weights).items() if n})


def test_coordinates_lie_inside_the_voivodeship(seeded):
    for cooperative in seeded:
        facts = demo.VOIVODESHIP_FACTS[cooperative.voivodeship_id]
        lat, lon = float(cooperative.latitude), float(cooperative.longitude)
        lat_min, lat_max, lon_min, lon_max = facts.bounds
        assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max, cooperative.gmina
        if cooperative.location_precision == Cooperative.LocationPrecision.GMINA_CENTRE:
            assert distance_km((lat, lon), facts.centre) <= facts.radius_km + 0.1
        else:
            assert cooperative.location_precision == Cooperative.LocationPrecision.EXACT
            city = demo.CITY_CENTRES[cooperative.powiat_id]
            assert abs(lat - city[0]) <= demo.CITY_JITTER_DEGREES + 1e-6
            assert abs(lon - city[1]) <= demo.CITY_JITTER_DEGREES + 1e-6
    # Cooperatives of one gmina outside the big cities share the gmina's point.
    points = {}
    for cooperative in seeded.filter(location_precision=Cooperative.LocationPrecision.GMINA_CENTRE):
        point = points.setdefault(cooperative.gmina_id, (cooperative.latitude, cooperative.longitude))
        assert point == (cooperative.latitude, cooperative.longitude)


def distance_km(a, b):
    dlat = (a[0] - b[0]) * 111.32
    dlon = (a[1] - b[1]) * 111.32 * math.cos(math.radians(b[0]))
    return math.hypot(dlat, dlon)


def test_location_data_is_consistent(territory):
    city_powiats = set(
        TerritorialUnit.objects.powiats().filter(code__regex=r"^\d{2}(6\d|7\d)$").values_list("code", flat=True)
    )
    assert set(demo.CITY_CENTRES) == city_powiats
    assert demo.VOIVODESHIP_CAPITALS < city_powiats
    assert set(demo.LARGE_CITY_WEIGHTS) < demo.VOIVODESHIP_CAPITALS
    assert {code[:2] for code in demo.VOIVODESHIP_CAPITALS} == {v.code for v in demo.VOIVODESHIPS}
    for facts in demo.VOIVODESHIPS:
        lat_min, lat_max, lon_min, lon_max = facts.bounds
        dlat = facts.radius_km / 111.32
        dlon = facts.radius_km / (111.32 * math.cos(math.radians(facts.centre[0])))
        assert lat_min < facts.centre[0] - dlat and facts.centre[0] + dlat < lat_max, facts.code
        assert lon_min < facts.centre[1] - dlon and facts.centre[1] + dlon < lon_max, facts.code
    for code, (lat, lon) in demo.CITY_CENTRES.items():
        lat_min, lat_max, lon_min, lon_max = demo.VOIVODESHIP_FACTS[code[:2]].bounds
        j = demo.CITY_JITTER_DEGREES
        assert lat_min < lat - j and lat + j < lat_max and lon_min < lon - j and lon + j < lon_max, code


def test_seat_offers_and_dictionaries_are_consistent(seeded):
    offer_counts = Counter(Offer.objects.values_list("cooperative_id", flat=True))
    main_counts = Counter(CooperativeActivity.objects.filter(is_main=True).values_list("cooperative_id", flat=True))
    for cooperative in seeded:
        assert cooperative.is_demo
        assert 1 <= offer_counts[cooperative.pk] <= 5
        assert main_counts[cooperative.pk] == 1
        assert cooperative.gmina.level == TerritorialUnit.Level.GMINA
        assert cooperative.powiat_id == cooperative.gmina.parent_id
        assert cooperative.voivodeship_id == cooperative.powiat.parent_id
        assert cooperative.town == cooperative.gmina.name
        assert cooperative.postal_code[0] == demo.VOIVODESHIP_FACTS[cooperative.voivodeship_id].postal_prefix
        assert cooperative.search_text
        if cooperative.email:
            assert cooperative.email.endswith(".example")
    assert seeded.filter(target_groups__isnull=True).count() == 0
    assert seeded.filter(founder_kinds__isnull=True).count() == 0
    assert not Offer.objects.filter(category__parent__isnull=True).exists()
    for offer in Offer.objects.prefetch_related("area_powiats", "area_voivodeships").select_related("cooperative"):
        powiats = {unit.code for unit in offer.area_powiats.all()}
        voivodeships = {unit.code for unit in offer.area_voivodeships.all()}
        if offer.service_area == Offer.ServiceArea.POWIATS:
            assert offer.cooperative.powiat_id in powiats and not voivodeships
            assert all(code[:2] == offer.cooperative.voivodeship_id for code in powiats)
        elif offer.service_area == Offer.ServiceArea.VOIVODESHIPS:
            assert offer.cooperative.voivodeship_id in voivodeships and not powiats
        else:
            assert not powiats and not voivodeships
        if offer.cpv_code:
            assert re.fullmatch(r"\d{8}-\d", offer.cpv_code)
        if offer.cooperative.status == Cooperative.Status.DELETED:
            assert not offer.is_active
    average_employees = sum(seeded.filter(status="active").values_list("employees_count", flat=True)) / max(
        1, seeded.filter(status="active").count()
    )
    assert 3.5 <= average_employees <= 6.5


def test_refuses_when_the_registry_holds_cooperatives(territory):
    real = CooperativeFactory()
    with pytest.raises(CommandError, match="--replace"):
        seed()
    assert list(Cooperative.objects.all()) == [real]


@pytest.mark.parametrize("set_based", [True, False])
def test_replace_deletes_only_demo_rows(territory, monkeypatch, set_based):
    monkeypatch.setattr(demo, "_set_based_delete_is_safe", lambda: set_based)
    real = CooperativeFactory()
    real_offer = OfferFactory(cooperative=real)
    real_offer.area_powiats.set(["1061"])
    MembershipFactory(cooperative=real, user=UserFactory())
    seed("--replace")
    assert Cooperative.objects.filter(is_demo=True).count() == SCALE
    MembershipFactory(cooperative=Cooperative.objects.filter(is_demo=True).first(), user=UserFactory())
    seed("--replace", "--seed", "3")
    assert Cooperative.objects.filter(is_demo=True).count() == SCALE
    assert Cooperative.objects.filter(is_demo=False).get() == real
    assert Offer.objects.get(cooperative__is_demo=False) == real_offer
    assert list(real_offer.area_powiats.values_list("code", flat=True)) == ["1061"]
    assert Membership.objects.get().cooperative == real
    assert not Cooperative.objects.filter(is_demo=True, krs_number=real.krs_number).exists()
    # Nothing of the first demo registry is left behind (foreign keys are only checked at commit).
    offer_ids = Offer.objects.values("pk")
    cooperative_ids = Cooperative.objects.values("pk")
    for through in (Offer.area_powiats.through, Offer.area_voivodeships.through):
        assert not through.objects.exclude(offer_id__in=offer_ids).exists()
    for model in (CooperativeActivity, Offer, Cooperative.target_groups.through, Cooperative.founder_kinds.through):
        assert not model.objects.exclude(cooperative_id__in=cooperative_ids).exists()


def test_clears_the_demo_flag_cache(territory):
    assert registry_has_demo_data() is False
    assert cache.get(DEMO_FLAG_CACHE_KEY) is False
    seed()
    assert cache.get(DEMO_FLAG_CACHE_KEY) is None
    assert registry_has_demo_data() is True


def test_command_reports_its_speed_and_refuses_bad_options(territory, capsys):
    call_command("seed_demo", "--scale", "5", "--no-progress")
    assert "5 cooperatives" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0", "--no-progress")


def test_bootstrap_seeds_an_empty_database_once(territory, monkeypatch, capsys):
    from publications.models import Publication
    from trainings.models import Training

    monkeypatch.setattr("cooperatives.management.commands.seed_demo.DEFAULT_SCALE", 12)
    call_command("bootstrap")
    assert Cooperative.objects.filter(is_demo=True).count() == 12
    publications, trainings = Publication.objects.count(), Training.objects.count()
    assert publications > 0 and trainings > 0
    assert Training.objects.filter(materials__series__title__startswith="ABC").exists()
    call_command("bootstrap")
    assert (Cooperative.objects.count(), Publication.objects.count(), Training.objects.count()) == (
        12,
        publications,
        trainings,
    )
    assert "no demo data loaded" in capsys.readouterr().out


def test_search_vectors_are_filled_on_postgresql(postgresql_only, territory):
    call_command("seed_demo", "--scale", "20", "--no-progress")
    assert not Cooperative.objects.filter(search_vector__isnull=True).exists()
    assert not Offer.objects.filter(search_vector__isnull=True).exists()


def test_the_generator_is_a_plain_function_reporting_progress_per_batch(territory):
    batches = []
    result = demo.generate_demo_registry(scale=25, seed=1, batch_size=10, progress=batches.append)
    assert batches == [10, 10, 5]
    assert result.cooperatives == Cooperative.objects.count() == 25
    assert result.offers == Offer.objects.count()
    assert result.rows > result.cooperatives + result.offers


def test_loads_the_territorial_units_when_they_are_missing(territory):
    # Foreign keys are checked at commit, and the test's transaction is rolled back.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TerritorialUnit._meta.db_table}")
    assert not TerritorialUnit.objects.exists()
    demo.generate_demo_registry(scale=5)
    assert TerritorialUnit.objects.gminas().count() == 2477
    assert Cooperative.objects.count() == 5
