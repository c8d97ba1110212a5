"""The profile form's journey pieces (issue 13): the gmina chosen voivodeship -> powiat -> gmina or by name, with
labels that say which gmina it is; coordinates inside Poland with a message that says so; PKD codes as a list of
rows with their versions; inputs wide enough and checkboxes beside their labels."""

import re
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cooperatives.models import CooperativeActivity, TerritorialUnit
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import profile_post_data, representative

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

DABROWA_OPOLSKA = "1609022"  # Dąbrowa, gmina wiejska, powiat opolski
DABROWA_MOGILENSKA = "0409012"  # Dąbrowa, gmina wiejska, powiat mogileński


class SelectOptions(HTMLParser):
    """The options (value, label, selected) of each <select> of a page, by name."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self._select = self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = self.selects.setdefault(attrs.get("name"), [])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value", ""), "", "selected" in attrs]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._select.append((self._option[0], self._option[1].strip(), self._option[2]))
            self._option = None
        elif tag == "select":
            self._select = None


def selects(response) -> dict:
    parser = SelectOptions()
    parser.feed(response.content.decode())
    return parser.selects


def selected(options) -> str | None:
    return next((value for value, _label, chosen in options if chosen), None)


@pytest.fixture
def coop():
    return CooperativeFactory(description="Opis", email="biuro@spoldzielnia-z-dluga-nazwa.example")


@pytest.fixture
def url(coop):
    return reverse("selfservice:cooperative-edit", args=[coop.krs_number])


@pytest.fixture
def rep_client(client, coop):
    client.force_login(representative(coop))
    return client


# --- Gmina ---------------------------------------------------------------------------------------------------


def test_every_gmina_has_an_unambiguous_label():
    from cooperatives import territory

    gminas = TerritorialUnit.objects.gminas().select_related("parent__parent")
    labels = [territory.gmina_label(gmina) for gmina in gminas]
    names = Counter(gmina.name for gmina in gminas)
    assert len(labels) == 2477
    assert sum(1 for count in names.values() if count > 1) > 40  # names alone repeat
    assert len(set(labels)) == len(labels)
    assert territory.gmina_option(DABROWA_OPOLSKA)[1] == "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie"
    assert territory.gmina_option("1403011")[1] == "Garwolin (gm. miejska), pow. garwoliński, woj. mazowieckie"
    assert territory.gmina_option("1403042")[1] == "Garwolin (gm. wiejska), pow. garwoliński, woj. mazowieckie"
    assert territory.gmina_option("1661011")[1] == "Opole (gm. miejska), miasto na prawach powiatu, woj. opolskie"


def test_page_offers_the_gminas_of_the_cooperatives_powiat_with_unambiguous_labels(rep_client, url, coop):
    lists = selects(rep_client.get(url))
    assert selected(lists["voivodeship"]) == "10"
    assert selected(lists["powiat"]) == "1061"
    gminas = lists["gmina"]
    assert selected(gminas) == coop.gmina_id == "1061011"
    lodz = "Łódź (gm. miejska), miasto na prawach powiatu, woj. łódzkie"
    assert [label for value, label, _ in gminas if value] == [lodz]
    assert len(lists["voivodeship"]) == 17  # 16 and "choose"
    for options in lists.values():
        labels = [label for _value, label, _chosen in options]
        assert len(labels) == len(set(labels))


def test_without_javascript_the_gmina_is_chosen_step_by_step_and_nothing_typed_is_lost(rep_client, url, coop):
    data = profile_post_data(coop, description="Nowy opis, jeszcze niezapisany")

    response = rep_client.post(url, {**data, "voivodeship": "16", "step": "voivodeship"})
    assert response.status_code == 200
    coop.refresh_from_db()
    assert coop.description == "Opis" and coop.version == 1  # nothing saved
    page = response.content.decode()
    assert "Nowy opis, jeszcze niezapisany" in page
    assert "error-summary" not in page  # a step is not a failed save
    lists = selects(response)
    assert selected(lists["voivodeship"]) == "16"
    assert ("1609", "opolski", False) in lists["powiat"]
    assert ("1661", "Opole (miasto na prawach powiatu)", False) in lists["powiat"]
    assert re.search(r'<select name="powiat"[^>]*autofocus', page)

    response = rep_client.post(url, {**data, "voivodeship": "16", "powiat": "1609", "step": "powiat"})
    gminas = selects(response)["gmina"]
    assert (DABROWA_OPOLSKA, "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie", False) in gminas
    assert all(value.startswith("1609") for value, _label, _ in gminas if value)
    assert selected(gminas) is None  # Łódź is not in this powiat: the choice is the user's

    response = rep_client.post(url, {**data, "gmina": DABROWA_OPOLSKA, "voivodeship": "16", "powiat": "1609"})
    assert response.status_code == 302
    coop.refresh_from_db()
    assert (coop.gmina_id, coop.powiat_id, coop.voivodeship_id) == (DABROWA_OPOLSKA, "1609", "16")
    assert coop.description == "Nowy opis, jeszcze niezapisany"


def test_without_javascript_a_gmina_is_found_by_name(rep_client, url, coop):
    data = profile_post_data(coop)
    response = rep_client.post(url, {**data, "gmina_search": "dabrowa", "step": "search"})
    gminas = {value: label for value, label, _ in selects(response)["gmina"]}
    assert gminas[DABROWA_OPOLSKA] == "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie"
    assert gminas[DABROWA_MOGILENSKA] == "Dąbrowa (gm. wiejska), pow. mogileński, woj. kujawsko-pomorskie"
    assert "Znalezione gminy:" in response.content.decode()

    response = rep_client.post(url, {**data, "gmina_search": "xyzxyz", "step": "search"})
    assert "Nie znaleziono gminy o takiej nazwie." in response.content.decode()


@pytest.mark.parametrize("code", ["1609", "16", "9999999", "1609022'", "²609022"])
def test_the_server_accepts_only_a_gmina_of_the_register(rep_client, url, coop, code):
    response = rep_client.post(url, profile_post_data(coop, gmina=code))
    assert response.status_code == 200
    assert "Nie ma takiej gminy w rejestrze TERYT" in response.content.decode()
    coop.refresh_from_db()
    assert coop.gmina_id == "1061011"


def test_territory_options_for_the_script(client, django_assert_num_queries):
    url = reverse("selfservice:territory-options")
    with django_assert_num_queries(1):
        powiats = client.get(url, {"parent": "16"}).json()
    assert ["1609", "opolski"] in powiats["options"]
    with django_assert_num_queries(1):
        gminas = client.get(url, {"parent": "1609"}).json()
    assert [DABROWA_OPOLSKA, "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie"] in gminas["options"]
    found = client.get(url, {"q": "Dąbrowa"}).json()
    assert {DABROWA_OPOLSKA, DABROWA_MOGILENSKA} <= {code for code, _label in found["options"]}
    assert client.get(url, {"q": "a"}).json()["more"] is True
    for bad in ({}, {"parent": "²6"}, {"q": "x" * 101}, {"q": "a\x00"}, {"q": "a\tb"}):
        response = client.get(url, bad)
        assert response.status_code == 400
        assert "kod TERYT" in response.json()["detail"]


# --- Location ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("19.457216", "51.759445", "latitude"), ("51.759445", "30.5", "longitude"), ("60", "19.4", "latitude")],
)
def test_a_point_outside_poland_is_refused_with_a_clear_message(rep_client, url, coop, latitude, longitude, field):
    response = rep_client.post(url, profile_post_data(coop, latitude=latitude, longitude=longitude))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors and "poza Polską" in errors[0], errors
    coop.refresh_from_db()
    assert coop.latitude is None


def test_a_point_inside_poland_is_saved_as_exact(rep_client, url, coop):
    response = rep_client.post(url, profile_post_data(coop, latitude="50.061430", longitude="19.936580"))
    assert response.status_code == 302
    coop.refresh_from_db()
    assert (coop.latitude, coop.longitude) == (Decimal("50.061430"), Decimal("19.936580"))
    assert coop.location_precision == "exact"


def test_coordinates_stay_plain_number_inputs_with_a_map_for_scripts(rep_client, url):
    page = rep_client.get(url).content.decode()
    assert re.search(r'<input type="number" name="latitude"[^>]*step="0.000001"', page)
    assert re.search(r'<input type="number" name="longitude"[^>]*min="14.0"', page)
    assert "data-map-picker" in page and "js/profile-form.js" in page


# --- PKD -----------------------------------------------------------------------------------------------------


def _activities(coop):
    return list(coop.activities.order_by("-is_main", "pk").values_list("code", "version", "is_main"))


def test_pkd_codes_are_saved_in_order_with_their_versions(rep_client, url, coop):
    rows = [("56.21.Z", "2025"), (" 8130z ", "2007"), ("", "2025")]
    response = rep_client.post(url, profile_post_data(coop, pkd=rows))
    assert response.status_code == 302
    assert _activities(coop) == [("56.21.Z", "2025", True), ("81.30.Z", "2007", False)]


def test_each_wrong_pkd_code_gets_its_own_message(rep_client, url, coop):
    CooperativeActivity.objects.create(cooperative=coop, code="88.10.Z", version="2007", is_main=True)
    rows = [("88.10.Z", "2007"), ("88-10", "2025"), ("88.10.Z", "2007"), ("56.21.Z", "1999")]
    response = rep_client.post(url, profile_post_data(coop, pkd=rows))
    assert response.status_code == 200
    pkd = response.context["form"].pkd
    assert pkd.forms[0].errors == {}
    assert "postać podklasy" in pkd.forms[1].errors["code"][0]
    assert pkd.forms[2].errors["code"] == ["Ten kod jest już na liście."]
    assert "version" in pkd.forms[3].errors
    page = response.content.decode()
    assert 'id="id_pkd-1-code_errors"' in page and "Popraw kody PKD zaznaczone na liście." in page
    assert re.search(r'id="id_pkd-1-code"[^>]*aria-describedby="pkd-help id_pkd-1-code_errors"', page)
    assert _activities(coop) == [("88.10.Z", "2007", True)]


def test_pkd_rows_are_added_without_javascript_and_removed_with_their_checkbox(rep_client, url, coop):
    CooperativeActivity.objects.create(cooperative=coop, code="88.10.Z", version="2007", is_main=True)
    CooperativeActivity.objects.create(cooperative=coop, code="56.21.Z", version="2007", is_main=False)
    data = profile_post_data(coop)
    response = rep_client.post(url, {**data, "step": "pkd_add"})
    assert response.status_code == 200
    assert response.context["form"].pkd.total_form_count() == 3
    assert re.search(r'name="pkd-2-code"[^>]*autofocus', response.content.decode())

    response = rep_client.post(url, {**data, "pkd-0-DELETE": "on"})
    assert response.status_code == 302
    assert _activities(coop) == [("56.21.Z", "2007", True)]


def test_a_post_without_the_pkd_list_leaves_the_codes_alone(rep_client, url, coop):
    CooperativeActivity.objects.create(cooperative=coop, code="88.10.Z", version="2007", is_main=True)
    data = {key: value for key, value in profile_post_data(coop).items() if not key.startswith("pkd-")}
    assert rep_client.post(url, data).status_code == 302
    assert _activities(coop) == [("88.10.Z", "2007", True)]


# --- Layout --------------------------------------------------------------------------------------------------


def test_each_consent_checkbox_has_its_label_beside_it(rep_client, url):
    page = rep_client.get(url).content.decode()
    for name in ("publish_email", "accepts_inquiries", "publish_phone", "publish_website"):
        assert re.search(
            rf'<div class="checkbox-field"><input type="checkbox" name="{name}"[^>]*id="id_{name}"[^>]*> '
            rf'<label for="id_{name}">',
            page,
        ), name


def test_new_pkd_2007_codes_are_refused_after_2026_but_held_ones_stay(rep_client, url, coop, monkeypatch):
    import datetime

    from cooperatives import forms

    CooperativeActivity.objects.create(cooperative=coop, code="88.10.Z", version="2007", is_main=True)
    monkeypatch.setattr(forms, "_today", lambda: datetime.date(2027, 1, 1))
    rows = [("88.10.Z", "2007"), ("56.21.Z", "2007")]
    response = rep_client.post(url, profile_post_data(coop, pkd=rows))
    pkd = response.context["form"].pkd
    assert pkd.forms[0].errors == {}
    assert "Podaj kod w wersji PKD 2025" in pkd.forms[1].errors["code"][0]
    # Sent back unchanged, the profile keeps its PKD 2007 code.
    assert rep_client.post(url, profile_post_data(coop)).status_code == 302
    assert _activities(coop) == [("88.10.Z", "2007", True)]
