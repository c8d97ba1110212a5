from collections import Counter

import pytest

from cooperatives.models import TerritorialUnit
from cooperatives.teryt import TERC_FILE, load_territorial_units

pytestmark = pytest.mark.django_db


def test_register_counts_match_the_official_totals(territory):
    levels = Counter(TerritorialUnit.objects.values_list("level", flat=True))
    assert levels["voivodeship"] == 16
    assert levels["powiat"] == 380
    assert levels["gmina"] == 2477
    cities = TerritorialUnit.objects.powiats().filter(code__regex=r"^\d{2}(6\d|7\d)$").count()
    assert cities == 66


def test_hierarchy_follows_the_codes(territory):
    lodz = TerritorialUnit.objects.get(code="1061011")
    assert lodz.level == "gmina" and lodz.gmina_kind == "1"
    assert lodz.parent.code == "1061" and lodz.parent.parent.code == "10"
    assert lodz.parent.parent.name == "ŁÓDZKIE"
    # A Warsaw district belongs to the city's gmina; a town of an urban-rural gmina to that gmina.
    assert TerritorialUnit.objects.get(code="1465028").parent_id == "1465011"
    assert TerritorialUnit.objects.get(code="0201044").parent_id == "0201043"


def test_loading_twice_changes_nothing(territory):
    before = TerritorialUnit.objects.count()
    result = load_territorial_units(TERC_FILE)
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == before == TerritorialUnit.objects.count()


def test_loading_updates_a_renamed_unit(territory):
    TerritorialUnit.objects.filter(code="1061011").update(name="Lodz (old)")
    result = load_territorial_units(TERC_FILE)
    assert result.updated == 1
    assert TerritorialUnit.objects.get(code="1061011").name == "Łódź"
