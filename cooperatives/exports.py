"""Open data: the public registry as a header and an iterator of rows, for core.streaming to send in any format.

Pure functions of a queryset; nothing here knows about requests or formats. Rows are read with values_list()
in batches from a database iterator, and each batch's many-to-many values come in one query per relation, so
memory stays bounded and the number of queries grows only with the number of batches.

On PostgreSQL an export also carries one SELECT giving every column already as CSV text (`Export.csv_query`),
for core.streaming to have the database write the CSV file (COPY): the same bytes, many times faster.

Personal data never appears in open data: no e-mail addresses or phone numbers (they may identify a person),
nothing about users; a website only when the cooperative agreed to publish it. The one exception is a buyer's own
contact list (`shortlist_contacts`), which carries the contacts each cooperative agreed to publish on its profile.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, QuerySet, TextField, Value, When
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import streaming

from . import reserved
from .models import Cooperative, CooperativeActivity, Offer

BATCH_SIZE = 2000
LIST_SEPARATOR = ";"


class ColumnType:
    TEXT = _("tekst")
    CODE = _("kod (tekst)")
    INTEGER = _("liczba całkowita")
    DECIMAL = _("liczba dziesiętna (kropka dziesiętna)")
    BOOLEAN = _("wartość logiczna: true albo false")
    DATE = _("data RRRR-MM-DD")
    URL = _("adres URL")
    CODE_LIST = _("lista kodów rozdzielonych średnikami")


@dataclass(frozen=True)
class Column:
    name: str
    type: Promise
    description: Promise


@dataclass(frozen=True)
class Export:
    columns: tuple[Column, ...]
    rows: Iterator[tuple]
    # PostgreSQL only: () -> (sql, params) of a SELECT of the same rows, each column as its CSV text.
    csv_query: Callable[[], tuple[str, tuple]] | None = None

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _owned_by(ids: list[int], field: str) -> dict:
    """A filter for rows whose `field` is one of `ids` (the primary keys of a batch).

    On PostgreSQL the ids travel as one array parameter: a list of thousands of parameters costs more to build
    and parse than the query takes to run.
    """
    if connection.vendor == "postgresql":
        return {f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))}
    return {f"{field}__in": ids}


def _joined_by_owner(pairs: Iterable[tuple]) -> dict:
    """{owner id: "a;b;c"} from (owner id, value) pairs, values sorted."""
    values = defaultdict(list)
    for owner, value in pairs:
        values[owner].append(value)
    return {owner: LIST_SEPARATOR.join(sorted(items)) for owner, items in values.items()}


def _page_url_parts(site_url: str, view_name: str, placeholder: str, kwarg: str) -> tuple[str, str]:
    """The text before and after an object's identifier in its page's absolute URL (in the default language),
    so a URL per row costs a concatenation rather than a reverse()."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(view_name, kwargs={kwarg: placeholder})
    before, after = path.split(placeholder)
    return site_url + before, after


def _public_website():
    return Case(When(publish_website=True, then=F("website")), default=Value(""), output_field=CharField())


# --- The same rows as CSV text, computed by PostgreSQL ----------------------------------------------------


_SQL_KINDS = {
    ColumnType.INTEGER: streaming.SQL_NUMBER,
    ColumnType.DECIMAL: streaming.SQL_NUMBER,
    ColumnType.BOOLEAN: streaming.SQL_BOOLEAN,
    ColumnType.DATE: streaming.SQL_DATE,
}


def _sql_kind(column_type) -> str:
    """How core.streaming.sql_csv_value writes a column of this type (every other type is text)."""
    for known, kind in _SQL_KINDS.items():
        if column_type is known:  # lazy translations: compared by identity, not by their text
            return kind
    return streaming.SQL_TEXT


@dataclass(frozen=True)
class _Lists:
    """A column of value lists from querysets of pairs: each gives (owner primary key, value) as `fields`.

    The lists are built for all owners at once and joined to the rows (one hash join), which costs a fraction of
    a subquery per row. Each list is sorted by code point like Python's sorted(): the pairs are sorted (collation
    "C") before string_agg, which at that level (no join) keeps its input order.
    """

    pairs: tuple[QuerySet, ...]
    fields: tuple[str, str]

    def as_sql(self) -> tuple[str, tuple]:
        parts, params = [], [LIST_SEPARATOR]
        for queryset in self.pairs:
            sql, part_params = queryset.order_by().values_list(*self.fields).query.sql_with_params()
            parts.append(f"({sql})")
            params += part_params
        return (
            f'(SELECT "owner", string_agg("value", %s) AS "joined" FROM (SELECT * FROM ({" UNION ALL ".join(parts)}) '
            'AS "union" ("owner", "value") ORDER BY "owner", "value" COLLATE "C") AS "pairs" GROUP BY "owner")',
            tuple(params),
        )


def _ordering(queryset: QuerySet) -> list[tuple]:
    """The queryset's ordering as (expression, descending, nulls first, nulls last) terms."""
    terms = queryset.query.order_by or (queryset.model._meta.ordering if queryset.query.default_ordering else ())
    ordering = []
    for term in terms:
        if isinstance(term, str):
            ordering.append((F(term.removeprefix("-")), term.startswith("-"), False, False))
        elif isinstance(term, OrderBy):
            ordering.append((term.expression, term.descending, term.nulls_first, term.nulls_last))
        else:
            ordering.append((term, False, False, False))
    return ordering


def _csv_query(queryset: QuerySet, columns: tuple[Column, ...], values: list) -> Callable[[], tuple[str, tuple]]:
    """The SELECT of `values` (expressions or _Lists, in the order of `columns`) over `queryset`, each column as
    its CSV text (core.streaming.sql_csv_value, by the column's type), in the queryset's order.

    The queryset's own query (its filters) gives the plain columns, the primary key and the ordering terms,
    unsorted; the lists are joined to it, and the whole is sorted once at the end.
    """

    def compile_query():
        ordering = _ordering(queryset)
        inner = {f"csv_{index}": value for index, value in enumerate(values) if not isinstance(value, _Lists)}
        inner["csv_pk"] = F("pk")
        inner.update({f"csv_sort_{index}": term[0] for index, term in enumerate(ordering)})
        sql, params = queryset.annotate(**inner).order_by().values_list(*inner).query.sql_with_params()
        selected, joins, params = [], [], list(params)
        for index, (value, column) in enumerate(zip(values, columns, strict=True)):
            if isinstance(value, _Lists):
                lists_sql, lists_params = value.as_sql()
                joins.append(f'LEFT JOIN {lists_sql} AS "lists_{index}" ON "lists_{index}"."owner" = "rows"."csv_pk"')
                params += lists_params
                selected.append(streaming.sql_csv_value(f'"lists_{index}"."joined"', _sql_kind(column.type)))
            else:
                selected.append(streaming.sql_csv_value(f'"rows"."csv_{index}"', _sql_kind(column.type)))
        order_by = [
            f'"rows"."csv_sort_{index}"{" DESC" if descending else ""}'
            f"{' NULLS FIRST' if nulls_first else ''}{' NULLS LAST' if nulls_last else ''}"
            for index, (_expression, descending, nulls_first, nulls_last) in enumerate(ordering)
        ]
        statement = f'SELECT {", ".join(selected)} FROM ({sql}) AS "rows" {" ".join(joins)}'
        if order_by:
            statement += f" ORDER BY {', '.join(order_by)}"
        return statement, tuple(params)

    return compile_query


# --- Cooperatives ------------------------------------------------------------------------------------------

COOPERATIVE_COLUMNS = (
    Column("krs_number", ColumnType.CODE, _("Numer w Krajowym Rejestrze Sądowym (10 cyfr); identyfikator wiersza.")),
    Column("name", ColumnType.TEXT, _("Pełna nazwa spółdzielni.")),
    Column("short_name", ColumnType.TEXT, _("Nazwa skrócona (może być pusta).")),
    Column("nip", ColumnType.CODE, _("Numer identyfikacji podatkowej (10 cyfr).")),
    Column("regon", ColumnType.CODE, _("Numer REGON (9 lub 14 cyfr).")),
    Column("status", ColumnType.CODE, _("Status: active, inactive, liquidation (w likwidacji) albo deleted.")),
    Column("status_date", ColumnType.DATE, _("Data, od której obowiązuje status.")),
    Column("krs_registration_date", ColumnType.DATE, _("Data wpisu do KRS.")),
    Column("founder_type", ColumnType.CODE, _("Założyciele: natural (osoby fizyczne), legal (prawne) albo mixed.")),
    Column("is_social_enterprise", ColumnType.BOOLEAN, _("Czy ma status przedsiębiorstwa społecznego.")),
    Column("ps_decision_number", ColumnType.TEXT, _("Numer decyzji wojewody o statusie przedsiębiorstwa społecznego.")),
    Column("ps_decision_date", ColumnType.DATE, _("Data tej decyzji.")),
    Column("ps_voivodeship_code", ColumnType.CODE, _("Kod TERYT województwa wojewody, który wydał decyzję.")),
    Column("ps_aim", ColumnType.CODE, _("Cel przedsiębiorstwa: reintegration albo social_services.")),
    Column("street", ColumnType.TEXT, _("Ulica i numer siedziby.")),
    Column("postal_code", ColumnType.CODE, _("Kod pocztowy siedziby (NN-NNN).")),
    Column("town", ColumnType.TEXT, _("Miejscowość siedziby.")),
    Column("gmina_code", ColumnType.CODE, _("Kod TERYT gminy siedziby (7 cyfr).")),
    Column("gmina_name", ColumnType.TEXT, _("Nazwa gminy siedziby.")),
    Column("powiat_code", ColumnType.CODE, _("Kod TERYT powiatu (4 cyfry).")),
    Column("powiat_name", ColumnType.TEXT, _("Nazwa powiatu.")),
    Column("voivodeship_code", ColumnType.CODE, _("Kod TERYT województwa (2 cyfry).")),
    Column("voivodeship_name", ColumnType.TEXT, _("Nazwa województwa.")),
    Column("latitude", ColumnType.DECIMAL, _("Szerokość geograficzna (WGS 84).")),
    Column("longitude", ColumnType.DECIMAL, _("Długość geograficzna (WGS 84).")),
    Column(
        "location_precision",
        ColumnType.CODE,
        _("Dokładność położenia: exact (adres) albo gmina_centre (środek gminy)."),
    ),
    Column("website", ColumnType.URL, _("Strona internetowa, jeśli spółdzielnia zgodziła się na jej publikację.")),
    Column("description", ColumnType.TEXT, _("Opis działalności.")),
    Column("members_count", ColumnType.INTEGER, _("Liczba członków.")),
    Column("employees_count", ColumnType.INTEGER, _("Liczba pracowników.")),
    Column(
        "employees_at_risk_count",
        ColumnType.INTEGER,
        _("W tym pracownicy z grup zagrożonych wykluczeniem społecznym (deklaracja spółdzielni; art. 94 Pzp)."),
    ),
    Column("counts_as_of", ColumnType.DATE, _("Dzień, na który podano liczby członków i pracowników.")),
    Column("has_quality_mark", ColumnType.BOOLEAN, _("Znak Jakości Ekonomii Społecznej i Solidarnej.")),
    Column("is_ozrss_member", ColumnType.BOOLEAN, _("Członkostwo w Ogólnopolskim Związku Rewizyjnym SS.")),
    Column("last_audit_date", ColumnType.DATE, _("Data ostatniej lustracji.")),
    Column("verified_on", ColumnType.DATE, _("Dzień ostatniego potwierdzenia danych.")),
    Column("updated_on", ColumnType.DATE, _("Dzień ostatniej zmiany danych w portalu.")),
    Column("target_groups", ColumnType.CODE_LIST, _("Kody grup docelowych (osób zagrożonych wykluczeniem).")),
    Column("founder_kinds", ColumnType.CODE_LIST, _("Kody rodzajów założycieli.")),
    Column("pkd_main", ColumnType.CODE, _("Kod PKD działalności przeważającej, z wersją: np. 2007:88.10.Z.")),
    Column("pkd_other", ColumnType.CODE_LIST, _("Pozostałe kody PKD, z wersją.")),
    Column("profile_url", ColumnType.URL, _("Adres profilu spółdzielni w portalu.")),
)

# The database columns, in the order of COOPERATIVE_COLUMNS up to updated_on, after the primary key.
_COOPERATIVE_VALUES = (
    "pk",
    "krs_number",
    "name",
    "short_name",
    "nip",
    "regon",
    "status",
    "status_date",
    "krs_registration_date",
    "founder_type",
    "is_social_enterprise",
    "ps_decision_number",
    "ps_decision_date",
    "ps_voivode_id",
    "ps_aim",
    "street",
    "postal_code",
    "town",
    "gmina_id",
    "gmina__name",
    "powiat_id",
    "powiat__name",
    "voivodeship_id",
    "voivodeship__name",
    "latitude",
    "longitude",
    "location_precision",
    "public_website",
    "description",
    "members_count",
    "employees_count",
    "employees_at_risk_count",
    "counts_as_of",
    "has_quality_mark",
    "is_ozrss_member",
    "last_audit_date",
    "verified_on",
    "updated_on",
)


def cooperative_export(queryset: QuerySet, *, site_url: str) -> Export:
    """The cooperatives of `queryset` (filtered and ordered by the caller) as open data.

    `site_url` is the scheme and host the profile URLs start with. Nothing is read until rows are iterated.
    """
    url_before, url_after = _page_url_parts(site_url, "cooperatives:detail", "0000000000", "krs")
    annotated = queryset.annotate(
        public_website=_public_website(), verified_on=TruncDate("verified_at"), updated_on=TruncDate("updated_at")
    )
    values = annotated.values_list(*_COOPERATIVE_VALUES)

    def rows():
        for batch in _batches(values.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            ids = [row[0] for row in batch]
            target_groups = _joined_by_owner(
                Cooperative.target_groups.through.objects.filter(**_owned_by(ids, "cooperative_id")).values_list(
                    "cooperative_id", "targetgroup__code"
                )
            )
            founder_kinds = _joined_by_owner(
                Cooperative.founder_kinds.through.objects.filter(**_owned_by(ids, "cooperative_id")).values_list(
                    "cooperative_id", "founderkind__code"
                )
            )
            main_pkd, other_pkd = {}, defaultdict(list)
            for owner, code, version, is_main in CooperativeActivity.objects.filter(
                **_owned_by(ids, "cooperative_id")
            ).values_list("cooperative_id", "code", "version", "is_main"):
                if is_main:
                    main_pkd[owner] = f"{version}:{code}"
                else:
                    other_pkd[owner].append(f"{version}:{code}")
            for row in batch:
                pk = row[0]
                yield (
                    *row[1:],
                    target_groups.get(pk, ""),
                    founder_kinds.get(pk, ""),
                    main_pkd.get(pk, ""),
                    LIST_SEPARATOR.join(sorted(other_pkd.get(pk, ()))),
                    url_before + row[1] + url_after,
                )

    csv_query = None
    if connection.vendor == "postgresql":
        activities = CooperativeActivity.objects.annotate(pkd=Concat("version", Value(":"), "code"))
        csv_query = _csv_query(
            annotated,
            COOPERATIVE_COLUMNS,
            [
                *(F(name) for name in _COOPERATIVE_VALUES[1:]),
                _Lists((Cooperative.target_groups.through.objects.all(),), ("cooperative_id", "targetgroup__code")),
                _Lists((Cooperative.founder_kinds.through.objects.all(),), ("cooperative_id", "founderkind__code")),
                _Lists((activities.filter(is_main=True),), ("cooperative_id", "pkd")),
                _Lists((activities.filter(is_main=False),), ("cooperative_id", "pkd")),
                Concat(Value(url_before), "krs_number", Value(url_after), output_field=TextField()),
            ],
        )
    return Export(COOPERATIVE_COLUMNS, rows(), csv_query)


# --- Offers ------------------------------------------------------------------------------------------------

OFFER_COLUMNS = (
    Column("id", ColumnType.INTEGER, _("Identyfikator oferty w portalu.")),
    Column("title", ColumnType.TEXT, _("Tytuł oferty.")),
    Column("description", ColumnType.TEXT, _("Opis oferty.")),
    Column("sector_slug", ColumnType.CODE, _("Identyfikator branży (pierwszy poziom klasyfikacji).")),
    Column("sector_name", ColumnType.TEXT, _("Nazwa branży.")),
    Column("category_slug", ColumnType.CODE, _("Identyfikator kategorii oferty (branża albo jej podkategoria).")),
    Column("category_name", ColumnType.TEXT, _("Nazwa kategorii oferty.")),
    Column(
        "service_area",
        ColumnType.CODE,
        _("Zasięg: local (gmina siedziby), powiats, voivodeships (wybrane jednostki) albo national."),
    ),
    Column("service_area_codes", ColumnType.CODE_LIST, _("Kody TERYT wybranych powiatów lub województw.")),
    Column("price_note", ColumnType.TEXT, _("Informacja o cenie.")),
    Column("cpv_code", ColumnType.CODE, _("Kod Wspólnego Słownika Zamówień (CPV).")),
    Column("zakup_prospoleczny_year", ColumnType.INTEGER, _("Rok przyznania certyfikatu Zakup Prospołeczny.")),
    Column("cooperative_krs_number", ColumnType.CODE, _("Numer KRS spółdzielni oferującej.")),
    Column("cooperative_name", ColumnType.TEXT, _("Nazwa spółdzielni oferującej.")),
    Column("cooperative_town", ColumnType.TEXT, _("Miejscowość siedziby spółdzielni.")),
    Column("cooperative_gmina_code", ColumnType.CODE, _("Kod TERYT gminy siedziby spółdzielni.")),
    Column("cooperative_voivodeship_code", ColumnType.CODE, _("Kod TERYT województwa siedziby spółdzielni.")),
    Column("updated_on", ColumnType.DATE, _("Dzień ostatniej zmiany oferty.")),
    Column("offer_url", ColumnType.URL, _("Adres oferty w portalu.")),
    Column("cooperative_profile_url", ColumnType.URL, _("Adres profilu spółdzielni w portalu.")),
)

_OFFER_VALUES = (
    "pk",
    "title",
    "description",
    "sector_slug",
    "sector_name",
    "category__slug",
    "category__name",
    "service_area",
    "price_note",
    "cpv_code",
    "zakup_prospoleczny_year",
    "cooperative__krs_number",
    "cooperative__name",
    "cooperative__town",
    "cooperative__gmina_id",
    "cooperative__voivodeship_id",
    "updated_on",
)


def offer_export(queryset: QuerySet, *, site_url: str) -> Export:
    """The offers of `queryset` (filtered and ordered by the caller) as open data."""
    offer_before, offer_after = _page_url_parts(site_url, "cooperatives:offer-detail", "999999999", "pk")
    profile_before, profile_after = _page_url_parts(site_url, "cooperatives:detail", "0000000000", "krs")
    annotated = queryset.annotate(
        sector_slug=Coalesce("category__parent__slug", "category__slug"),
        sector_name=Coalesce("category__parent__name", "category__name"),
        updated_on=TruncDate("updated_at"),
    )
    values = annotated.values_list(*_OFFER_VALUES)

    def rows():
        for batch in _batches(values.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            ids = [row[0] for row in batch]
            chosen_units = {
                Offer.ServiceArea.POWIATS: _joined_by_owner(
                    Offer.area_powiats.through.objects.filter(**_owned_by(ids, "offer_id")).values_list(
                        "offer_id", "territorialunit_id"
                    )
                ),
                Offer.ServiceArea.VOIVODESHIPS: _joined_by_owner(
                    Offer.area_voivodeships.through.objects.filter(**_owned_by(ids, "offer_id")).values_list(
                        "offer_id", "territorialunit_id"
                    )
                ),
            }
            for row in batch:
                pk, service_area, krs = row[0], row[7], row[11]
                # Units chosen for another kind of service area (left over from an edit) do not apply.
                units = chosen_units.get(service_area, {}).get(pk, "")
                yield (
                    *row[:8],
                    units,
                    *row[8:],
                    offer_before + str(pk) + offer_after,
                    profile_before + krs + profile_after,
                )

    csv_query = None
    if connection.vendor == "postgresql":
        value_names = [F(name) for name in _OFFER_VALUES[1:]]
        # Units chosen for another kind of service area (left over from an edit) do not apply.
        chosen_units = _Lists(
            (
                Offer.area_powiats.through.objects.filter(offer__service_area=Offer.ServiceArea.POWIATS),
                Offer.area_voivodeships.through.objects.filter(offer__service_area=Offer.ServiceArea.VOIVODESHIPS),
            ),
            ("offer_id", "territorialunit_id"),
        )
        csv_query = _csv_query(
            annotated,
            OFFER_COLUMNS,
            [
                F("pk"),
                *value_names[:7],
                chosen_units,
                *value_names[7:],
                Concat(Value(offer_before), Cast("pk", TextField()), Value(offer_after), output_field=TextField()),
                Concat(
                    Value(profile_before), "cooperative__krs_number", Value(profile_after), output_field=TextField()
                ),
            ],
        )
    return Export(OFFER_COLUMNS, rows(), csv_query)


# --- A buyer's contact list (the shortlist) ------------------------------------------------------------------


def shortlist_contacts(cooperatives: list[Cooperative], *, site_url: str) -> tuple[list[str], Iterator[tuple]]:
    """The shortlist as a contact list for buyers: Polish column names, published contacts only (an address,
    phone or website the cooperative did not agree to publish is left empty, never filled from the registry)."""
    header = [
        str(_("Nazwa")),
        str(_("Numer KRS")),
        str(_("NIP")),
        str(_("Adres")),
        str(_("Kod pocztowy")),
        str(_("Miejscowość")),
        str(_("Województwo")),
        str(_("Telefon")),
        str(_("E-mail")),
        str(_("Strona internetowa")),
        *(str(name) for name in SHORTLIST_BUYER_COLUMNS),
        str(_("Profil w portalu")),
    ]
    cpv_codes = _active_cpv_codes([coop.pk for coop in cooperatives])
    rows = (
        (
            coop.name,
            coop.krs_number,
            coop.nip,
            coop.street,
            coop.postal_code,
            coop.town,
            coop.voivodeship.name.lower(),
            coop.public_phone,
            coop.public_email,
            coop.public_website,
            *_buyer_values(coop, cpv_codes.get(coop.pk, ())),
            site_url + coop.get_absolute_url(),
        )
        for coop in cooperatives
    )
    return header, rows


# The buyer's columns of the contact list (issue 13): the declared art. 94 share and the offers' CPV codes.
SHORTLIST_BUYER_COLUMNS = (
    _("Zamówienia zastrzeżone (art. 94): próg 30%"),
    _("Udział pracowników zagrożonych wykluczeniem (%)"),
    _("Udział według stanu na"),
    _("Kody CPV ofert"),
)


def _active_cpv_codes(cooperative_ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, set[str]] = {}
    rows = (
        Offer.objects.filter(cooperative_id__in=cooperative_ids, is_active=True)
        .exclude(cpv_code="")
        .values_list("cooperative_id", "cpv_code")
    )
    for cooperative_id, code in rows:
        codes.setdefault(cooperative_id, set()).add(code)
    return {pk: sorted(found) for pk, found in codes.items()}


def _buyer_values(coop: Cooperative, cpv_codes) -> tuple:
    share = reserved.declared_share(coop)
    if share is None:
        verdict = _("brak danych")
    elif share.qualifies and coop.status == Cooperative.Status.ACTIVE:
        verdict = _("tak")
    elif share.meets_threshold and not share.is_current:
        verdict = _("dane starsze niż 2 lata")
    else:
        verdict = _("nie")
    return (
        str(verdict),
        share.percent if share else None,
        share.as_of if share else None,
        ", ".join(cpv_codes),
    )
