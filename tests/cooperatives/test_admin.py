import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from cooperatives.models import (
    Cooperative,
    CooperativeActivity,
    FounderKind,
    Membership,
    Offer,
    OfferCategory,
    TargetGroup,
    TerritorialUnit,
)
from tests.factories import UserFactory

from .factories import CooperativeFactory, MembershipFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, territory):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def registry(territory):
    lodz = CooperativeFactory(
        name="Spółdzielnia Socjalna Łódzkie Smaki",
        krs_number="0000400001",
        status=Cooperative.Status.ACTIVE,
        is_social_enterprise=True,
    )
    krakow = CooperativeFactory(
        name="Spółdzielnia Socjalna Zielony Kraków",
        krs_number="0000400002",
        status=Cooperative.Status.LIQUIDATION,
        gmina_id="1261011",
        town="Kraków",
        postal_code="30-001",
        has_quality_mark=True,
    )
    CooperativeActivity.objects.create(cooperative=lodz, code="56.21.Z", version="2007", is_main=True)
    OfferFactory(cooperative=lodz, title="Catering na konferencje")
    OfferFactory(
        cooperative=krakow,
        title="Koszenie trawników",
        category=OfferCategory.objects.get(slug="pielegnacja-zieleni"),
        is_active=False,
        service_area=Offer.ServiceArea.NATIONAL,
    )
    MembershipFactory(cooperative=lodz, user=UserFactory(email="przedstawiciel@example.org"))
    return {"lodz": lodz, "krakow": krakow}


def changelist(model):
    return reverse(f"admin:cooperatives_{model._meta.model_name}_changelist")


def change(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def result_names(response):
    return [str(obj) for obj in response.context["cl"].result_list]


# --- Access ----------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, registry):
    response = client.get(changelist(Cooperative))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_without_permission_is_refused(client, registry):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(changelist(Cooperative)).status_code == 403
    assert client.get(change(registry["lodz"])).status_code == 403


def test_staff_with_view_permission_sees_the_list_but_cannot_save(client, registry):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_cooperative"))
    client.force_login(user)
    response = client.get(changelist(Cooperative))
    assert response.status_code == 200
    assert "Spółdzielnia Socjalna Łódzkie Smaki" in response.text
    assert client.post(change(registry["lodz"]), {"name": "Zmieniona"}).status_code == 403
    registry["lodz"].refresh_from_db()
    assert registry["lodz"].name == "Spółdzielnia Socjalna Łódzkie Smaki"


# --- Cooperatives ----------------------------------------------------------------------------------------


def test_cooperative_changelist_lists_columns(admin_client, registry):
    response = admin_client.get(changelist(Cooperative))
    assert response.status_code == 200
    assert set(result_names(response)) == {
        "Spółdzielnia Socjalna Łódzkie Smaki",
        "Spółdzielnia Socjalna Zielony Kraków",
    }
    assert "0000400001" in response.text
    assert "łódzkie" in response.text and "małopolskie" in response.text


def test_cooperatives_are_listed_in_polish_order_on_postgresql(admin_client, registry, postgresql_only):
    response = admin_client.get(changelist(Cooperative))
    assert result_names(response) == ["Spółdzielnia Socjalna Łódzkie Smaki", "Spółdzielnia Socjalna Zielony Kraków"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "0000400002"}, ["Spółdzielnia Socjalna Zielony Kraków"]),
        ({"q": "Kraków"}, ["Spółdzielnia Socjalna Zielony Kraków"]),
        ({"q": "Smaki"}, ["Spółdzielnia Socjalna Łódzkie Smaki"]),
        ({"status__exact": "liquidation"}, ["Spółdzielnia Socjalna Zielony Kraków"]),
        ({"voivodeship": "10"}, ["Spółdzielnia Socjalna Łódzkie Smaki"]),
        ({"is_social_enterprise__exact": "1"}, ["Spółdzielnia Socjalna Łódzkie Smaki"]),
        ({"has_quality_mark__exact": "1"}, ["Spółdzielnia Socjalna Zielony Kraków"]),
        ({"founder_type__exact": "legal"}, []),
        ({"is_demo__exact": "1"}, []),
    ],
)
def test_cooperative_search_and_filters(admin_client, registry, query, expected):
    response = admin_client.get(changelist(Cooperative), query)
    assert response.status_code == 200
    assert result_names(response) == expected


def test_nip_and_regon_are_searchable(admin_client, registry):
    krakow = registry["krakow"]
    for value in (krakow.nip, krakow.regon):
        response = admin_client.get(changelist(Cooperative), {"q": value})
        assert result_names(response) == [krakow.name]


def test_cooperative_change_page_shows_inlines_and_derived_units(admin_client, registry):
    response = admin_client.get(change(registry["lodz"]))
    assert response.status_code == 200
    text = response.text
    assert "56.21.Z" in text  # activity inline
    assert "Catering na konferencje" in text  # offer inline
    assert "przedstawiciel@example.org" in text  # membership inline
    assert "pow. Łódź" not in text and "Łódź" in text
    assert 'name="edited_version"' in text


def test_cooperative_add_page_renders(admin_client, territory):
    response = admin_client.get(reverse("admin:cooperatives_cooperative_add"))
    assert response.status_code == 200
    assert 'name="krs_number"' in response.text


def cooperative_form_data(cooperative, **changes):
    data = {
        "name": cooperative.name,
        "short_name": "",
        "krs_number": cooperative.krs_number,
        "nip": cooperative.nip,
        "regon": cooperative.regon,
        "krs_registration_date": "",
        "status": cooperative.status,
        "status_date": "",
        "founder_type": cooperative.founder_type,
        "members_count": "",
        "employees_count": "",
        "counts_as_of": "",
        "ps_decision_number": "",
        "ps_voivode": "",
        "ps_decision_date": "",
        "ps_aim": "",
        "street": "",
        "postal_code": cooperative.postal_code,
        "town": cooperative.town,
        "gmina": cooperative.gmina_id,
        "latitude": "",
        "longitude": "",
        "location_precision": "",
        "email": "",
        "phone": "",
        "website": "",
        "publish_website": "on",
        "description": "",
        "last_audit_date": "",
        "verified_at_0": "",
        "verified_at_1": "",
        "edited_version": str(cooperative.version),
    }
    for prefix in ("activities", "offers", "memberships", "photos"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_saving_through_the_admin_keeps_derived_fields(admin_client, territory):
    cooperative = CooperativeFactory(krs_number="0000400003")
    response = admin_client.post(
        change(cooperative),
        cooperative_form_data(cooperative, gmina="1261011", town="Kraków", name="Spółdzielnia Socjalna Nowa"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    cooperative.refresh_from_db()
    assert (cooperative.gmina_id, cooperative.powiat_id, cooperative.voivodeship_id) == ("1261011", "1261", "12")
    # The names, the town and the identifiers (KRS, NIP, REGON), folded.
    expected = f"spoldzielnia socjalna nowa krakow 0000400003 {cooperative.nip} {cooperative.regon}"
    assert cooperative.search_text == expected
    assert cooperative.version == 2


def test_an_edit_based_on_a_stale_page_is_refused(admin_client, territory):
    cooperative = CooperativeFactory(krs_number="0000400004")
    stale = cooperative_form_data(cooperative, name="Moja zmiana")
    Cooperative.objects.filter(pk=cooperative.pk).update(name="Cudza zmiana", version=2)
    response = admin_client.post(change(cooperative), stale)
    assert response.status_code == 200
    assert "Ktoś inny zapisał zmiany" in response.text
    cooperative.refresh_from_db()
    assert (cooperative.name, cooperative.version) == ("Cudza zmiana", 2)


def test_invalid_identifiers_are_refused_with_a_polish_message(admin_client, territory):
    cooperative = CooperativeFactory(krs_number="0000400005")
    response = admin_client.post(change(cooperative), cooperative_form_data(cooperative, nip="1234567890"))
    assert response.status_code == 200
    assert "Niepoprawny NIP" in response.text
    cooperative.refresh_from_db()
    assert cooperative.nip != "1234567890"


def test_cooperative_changelist_query_count_does_not_grow_with_rows(admin_client, registry, django_assert_num_queries):
    url = changelist(Cooperative)
    admin_client.get(url)  # warm caches (content types, session)
    with django_assert_num_queries(COOPERATIVE_CHANGELIST_QUERIES):
        admin_client.get(url)
    for n in range(30):
        CooperativeFactory(gmina_id="3064011", town="Poznań", postal_code="60-001", name=f"Spółdzielnia {n}")
    with django_assert_num_queries(COOPERATIVE_CHANGELIST_QUERIES):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 32


# session, user, TOTP authenticator (accounts.middleware), voivodeship filter choices, count, filtered count,
# page of results, date hierarchy (2)
COOPERATIVE_CHANGELIST_QUERIES = 9


def test_offer_changelist_query_count_does_not_grow_with_rows(admin_client, registry, django_assert_num_queries):
    url = changelist(Offer)
    admin_client.get(url)
    with django_assert_num_queries(OFFER_CHANGELIST_QUERIES):
        admin_client.get(url)
    for _ in range(20):
        OfferFactory(cooperative=registry["krakow"])
    with django_assert_num_queries(OFFER_CHANGELIST_QUERIES):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 22


# session, user, category and voivodeship filter choices, counts (2), page of results, date hierarchy (2)
OFFER_CHANGELIST_QUERIES = 10


# --- Offers, categories, dictionaries, territorial units, memberships ------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Catering na konferencje", "Koszenie trawników"]),
        ({"q": "koszenie"}, ["Koszenie trawników"]),
        ({"q": "0000400001"}, ["Catering na konferencje"]),
        ({"is_active__exact": "1"}, ["Catering na konferencje"]),
        ({"service_area__exact": "national"}, ["Koszenie trawników"]),
        ({"voivodeship": "12"}, ["Koszenie trawników"]),
    ],
)
def test_offer_search_and_filters(admin_client, registry, query, expected):
    response = admin_client.get(changelist(Offer), query)
    assert response.status_code == 200
    assert result_names(response) == expected


def test_offer_category_filter(admin_client, registry):
    catering = OfferCategory.objects.get(slug="catering")
    response = admin_client.get(changelist(Offer), {"category": catering.pk})
    assert result_names(response) == ["Catering na konferencje"]
    greenery = OfferCategory.objects.get(slug="zielen")  # a sector includes its sub-categories
    response = admin_client.get(changelist(Offer), {"category": greenery.pk})
    assert result_names(response) == ["Koszenie trawników"]
    assert "Gastronomia i catering › Catering" in response.text


def test_offer_change_and_save_keep_search_text(admin_client, registry):
    offer = Offer.objects.get(title="Catering na konferencje")
    response = admin_client.get(change(offer))
    assert response.status_code == 200 and "Catering na konferencje" in response.text
    data = {
        "cooperative": offer.cooperative_id,
        "title": "Catering świąteczny",
        "category": offer.category_id,
        "description": "",
        "service_area": "powiats",
        "area_powiats": ["1061"],
        "price_note": "od 30 zł",
        "cpv_code": "55520000-1",
        "zakup_prospoleczny_year": "",
        "is_active": "on",
        "edited_version": str(offer.version),
    }
    response = admin_client.post(change(offer), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    offer.refresh_from_db()
    assert offer.search_text.startswith("catering swiateczny catering")
    assert list(offer.area_powiats.values_list("code", flat=True)) == ["1061"]
    assert offer.version == 2


def test_offer_category_changelist_shows_parents_and_filters_by_them(admin_client, territory):
    response = admin_client.get(changelist(OfferCategory))
    assert response.status_code == 200
    assert "Gastronomia i catering" in response.text
    gastronomy = OfferCategory.objects.get(slug="gastronomia")
    response = admin_client.get(changelist(OfferCategory), {"parent": gastronomy.pk})
    assert sorted(obj.slug for obj in response.context["cl"].result_list) == ["catering", "stolowki", "wypieki"]
    response = admin_client.get(changelist(OfferCategory), {"parent": "none"})
    assert all(obj.parent_id is None for obj in response.context["cl"].result_list)
    assert admin_client.get(change(OfferCategory.objects.get(slug="catering"))).status_code == 200


def test_dictionary_admins_render(admin_client, territory):
    for model in (TargetGroup, FounderKind):
        response = admin_client.get(changelist(model))
        assert response.status_code == 200
        assert model.objects.first().name in response.text
        assert admin_client.get(change(model.objects.first())).status_code == 200
    response = admin_client.get(changelist(TargetGroup), {"legal_basis__exact": "es_2022"})
    assert {obj.legal_basis for obj in response.context["cl"].result_list} == {"es_2022"}


def test_territorial_units_are_searchable_and_read_only(admin_client, territory):
    response = admin_client.get(changelist(TerritorialUnit), {"q": "Łódź", "level__exact": "gmina"})
    assert response.status_code == 200
    assert [obj.code for obj in response.context["cl"].result_list] == ["1061011"]
    response = admin_client.get(changelist(TerritorialUnit), {"q": "1465"})
    assert all(obj.code.startswith("1465") for obj in response.context["cl"].result_list)
    unit = TerritorialUnit.objects.get(code="1061011")
    response = admin_client.get(change(unit))
    assert response.status_code == 200 and 'name="_save"' not in response.text
    assert admin_client.get(reverse("admin:cooperatives_territorialunit_add")).status_code == 403
    assert admin_client.post(change(unit), {"name": "Lodz"}).status_code == 403


def test_gmina_autocomplete_offers_only_gminas(admin_client, territory):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cooperatives", "model_name": "cooperative", "field_name": "gmina", "term": "Łódź"},
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == ["1061011"]


def test_activity_and_membership_admins(admin_client, registry):
    response = admin_client.get(changelist(CooperativeActivity), {"q": "56.21"})
    assert response.status_code == 200
    assert result_names(response) == ["56.21.Z (PKD 2007)"]
    response = admin_client.get(changelist(Membership), {"q": "przedstawiciel@"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert admin_client.get(change(Membership.objects.get())).status_code == 200


def test_user_admin_lists_and_shows_memberships(admin_client, registry):
    user = Membership.objects.get().user
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "przedstawiciel"})
    assert response.status_code == 200
    assert [obj.email for obj in response.context["cl"].result_list] == ["przedstawiciel@example.org"]
    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert "Spółdzielnia Socjalna Łódzkie Smaki" in response.text
    response = admin_client.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200 and 'name="email"' in response.text


def add_rows(model, registry, n):
    if model is CooperativeActivity:
        for i in range(n):
            CooperativeActivity.objects.create(cooperative=registry["krakow"], code=f"{10 + i}.11.Z", version="2007")
    elif model is Membership:
        for _ in range(n):
            MembershipFactory(cooperative=registry["krakow"], user=UserFactory())
    elif model is OfferCategory:
        parent = OfferCategory.objects.get(slug="inne")
        for i in range(n):
            OfferCategory.objects.create(name=f"Podkategoria {i}", slug=f"podkategoria-{i}", parent=parent)
    elif model is TargetGroup:
        for i in range(n):
            TargetGroup.objects.create(code=f"grupa-{i}", name=f"Grupa {i}", legal_basis="es_2022")
    elif model is FounderKind:
        for i in range(n):
            FounderKind.objects.create(code=f"rodzaj-{i}", name=f"Rodzaj {i}", legal_basis="art4_2")
    else:
        for _ in range(n):
            UserFactory()


@pytest.mark.parametrize(
    ("url_name", "model", "queries"),
    [
        # session, user, counts (2), page of results (+ filter choices, date hierarchy where the list has them)
        ("admin:cooperatives_cooperativeactivity_changelist", CooperativeActivity, 6),
        ("admin:cooperatives_membership_changelist", Membership, 8),
        ("admin:cooperatives_offercategory_changelist", OfferCategory, 7),
        ("admin:cooperatives_targetgroup_changelist", TargetGroup, 6),
        ("admin:cooperatives_founderkind_changelist", FounderKind, 6),
        ("admin:accounts_user_changelist", None, 9),
    ],
)
def test_other_changelists_query_counts_do_not_grow(
    admin_client, registry, django_assert_num_queries, url_name, model, queries
):
    url = reverse(url_name)
    admin_client.get(url)
    with django_assert_num_queries(queries):
        admin_client.get(url)
    add_rows(model, registry, 15)
    with django_assert_num_queries(queries):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_territorial_unit_changelist_query_count_is_pinned(admin_client, django_assert_num_queries):
    url = changelist(TerritorialUnit)
    admin_client.get(url)
    with django_assert_num_queries(6):
        response = admin_client.get(url, {"level__exact": "powiat"})
    assert len(response.context["cl"].result_list) == 100


def test_an_account_cannot_be_created_without_an_email(admin_client):
    url = reverse("admin:accounts_user_add")
    data = {
        "username": "nowy",
        "usable_password": "true",
        "password1": "Trudne-haslo-123",
        "password2": "Trudne-haslo-123",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    response = admin_client.post(url, {**data, "email": "nowy@example.org"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="nowy").email == "nowy@example.org"


# --- Self-service records: ministry staff only --------------------------------------------------------------


@pytest.mark.parametrize(
    "model_name",
    ["coordinatorassignment", "representationrequest", "changerequest", "errorreport", "inquiry", "invitation"],
)
def test_self_service_records_are_for_ministry_staff_only(client, territory, model_name):
    from django.contrib.auth.models import Group

    from accounts.roles import MINISTRY_STAFF

    url = reverse(f"admin:cooperatives_{model_name}_changelist")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    all_permissions = Permission.objects.filter(content_type__app_label="cooperatives")
    other_staff = UserFactory(is_staff=True)
    other_staff.user_permissions.add(*all_permissions)
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    ministry = UserFactory(is_staff=True)
    ministry.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    client.force_login(ministry)
    assert client.get(url).status_code == 200


def test_ministry_staff_assign_a_coordinator_to_a_voivodeship(admin_client):
    from cooperatives.models import CoordinatorAssignment

    coordinator = UserFactory(email="koordynator@example.org")
    response = admin_client.post(
        reverse("admin:cooperatives_coordinatorassignment_add"), {"user": coordinator.pk, "voivodeship": "10"}
    )
    assert response.status_code == 302
    assert list(CoordinatorAssignment.objects.values_list("user__email", "voivodeship_id")) == [
        ("koordynator@example.org", "10")
    ]


def test_inquiries_are_read_only_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:cooperatives_inquiry_add")).status_code == 403
