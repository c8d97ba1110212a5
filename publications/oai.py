"""OAI-PMH 2.0 data provider at /oai/ so library catalogues can harvest the collection.

Only published items are records; series are sets (setSpec = the series' slug); the one metadata format is oai_dc.
Datestamps are the items' last change, at seconds granularity in UTC. Resumption tokens are stateless: a signed
copy of the request's arguments plus the last id sent and the cursor, so any app server can continue a harvest.
Protocol errors are XML with HTTP 200, as the protocol requires.

Every answer is well-formed XML 1.0: an argument (name or value) holding a control character, which XML cannot
carry even escaped and no identifier, date, prefix, set or token contains, is a badArgument that echoes nothing; and
text from the database goes through core.text.xml_safe.
"""

import datetime as dt
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import site
from core.params import parse_int
from core.text import XML_ILLEGAL, xml_safe
from core.validators import validate_single_line

from . import selectors
from .models import Publication, Series

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

ET.register_namespace("", OAI_NS)
ET.register_namespace("oai_dc", OAI_DC_NS)
ET.register_namespace("dc", DC_NS)
ET.register_namespace("xsi", XSI_NS)

METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
TOKEN_SALT = "publications.oai.resumption"
TOKEN_MAX_AGE = dt.timedelta(hours=24)

LIST_ARGUMENTS = {"metadataPrefix", "from", "until", "set", "resumptionToken"}
VERB_ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
    "ListRecords": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
}


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def page_size() -> int:
    return getattr(settings, "PUBLICATIONS_OAI_PAGE_SIZE", 100)


def repository_id() -> str:
    """The oai-identifier namespace; a domain name of the portal (set PUBLICATIONS_OAI_REPOSITORY_ID in production)."""
    return getattr(settings, "PUBLICATIONS_OAI_REPOSITORY_ID", "spoldzielnie-socjalne.example.org")


def oai_identifier(publication: Publication) -> str:
    return f"oai:{repository_id()}:publication/{publication.pk}"


def _publication_pk(identifier: str) -> int | None:
    prefix = f"oai:{repository_id()}:publication/"
    if not identifier.startswith(prefix):
        return None
    return parse_int(identifier[len(prefix) :], min_value=1)


def datestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(value: str, *, end: bool) -> tuple[dt.datetime, str]:
    """A protocol date (day or seconds granularity) -> an aware UTC datetime bound. Day-granular `until` includes
    the whole day, as does a seconds-granular `until` the whole second."""
    for fmt, granularity, step in (
        ("%Y-%m-%d", "day", dt.timedelta(days=1)),
        ("%Y-%m-%dT%H:%M:%SZ", "seconds", dt.timedelta(seconds=1)),
    ):
        if not value.isascii():  # strptime's %Y reads any Unicode digits
            break
        try:
            parsed = dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
            return (parsed + step if end else parsed), granularity
        except (ValueError, OverflowError):  # OverflowError: the day after 9999-12-31
            continue
    raise OAIError("badArgument", f"Niepoprawna data: {value!r} (oczekiwano RRRR-MM-DD lub RRRR-MM-DDThh:mm:ssZ).")


# --- XML -------------------------------------------------------------------------------------------------------


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, ns: str = OAI_NS, **attrs) -> ET.Element:
    """ElementTree escapes markup but writes control characters as they are, which makes the document malformed:
    text and attribute values lose the characters XML cannot hold."""
    element = ET.SubElement(parent, _q(ns, tag), {k: xml_safe(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _envelope(request, arguments: dict[str, str] | None) -> ET.Element:
    root = ET.Element(_q(OAI_NS, "OAI-PMH"), {_q(XSI_NS, "schemaLocation"): f"{OAI_NS} {OAI_SCHEMA}"})
    _sub(root, "responseDate", datestamp(timezone.now()))
    # After badVerb / badArgument the request element carries no attributes (the arguments were not valid).
    _sub(root, "request", site.absolute_url(request.path), **(arguments or {}))
    return root


def _response(root: ET.Element) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _dublin_core(parent, publication: Publication, request) -> None:
    dc = ET.SubElement(parent, _q(OAI_DC_NS, "dc"), {_q(XSI_NS, "schemaLocation"): f"{OAI_DC_NS} {OAI_DC_SCHEMA}"})
    _sub(dc, "title", publication.full_title, ns=DC_NS)
    for authorship in publication.authorships.all():
        tag = "creator" if authorship.role == authorship.Role.AUTHOR else "contributor"
        _sub(dc, tag, authorship.person.inverted_name, ns=DC_NS)
    for topic in publication.topics.all():
        _sub(dc, "subject", topic.name, ns=DC_NS)
    if publication.abstract:
        _sub(dc, "description", publication.abstract, ns=DC_NS)
    if publication.funding_note:
        _sub(dc, "description", publication.funding_note, ns=DC_NS)
    if publication.publisher:
        _sub(dc, "publisher", publication.publisher, ns=DC_NS)
    _sub(dc, "date", str(publication.year), ns=DC_NS)
    _sub(dc, "type", "Text", ns=DC_NS)
    for edition in publication.editions.all():
        if edition.is_electronic:
            _sub(dc, "format", edition.content_type, ns=DC_NS)
    _sub(dc, "identifier", site.absolute_url(publication.get_absolute_url()), ns=DC_NS)
    for edition in publication.editions.all():
        if edition.isbn:
            _sub(dc, "identifier", f"urn:isbn:{edition.isbn}", ns=DC_NS)
    _sub(dc, "language", publication.language, ns=DC_NS)
    if publication.series_id:
        relation = publication.series.title
        if publication.volume_number:
            relation = f"{relation}; {publication.volume_number}"
        _sub(dc, "relation", relation, ns=DC_NS)
    _sub(dc, "rights", publication.licence_url or publication.get_licence_display(), ns=DC_NS)


def _header(parent, publication: Publication) -> None:
    header = _sub(parent, "header")
    _sub(header, "identifier", oai_identifier(publication))
    _sub(header, "datestamp", datestamp(publication.updated_at))
    if publication.series_id:
        _sub(header, "setSpec", publication.series.slug)


# --- Verbs -----------------------------------------------------------------------------------------------------


def _identify(request, root, args) -> None:
    earliest = Publication.objects.published().aggregate(first=Min("updated_at"))["first"]
    node = _sub(root, "Identify")
    _sub(node, "repositoryName", "Biblioteka portalu spółdzielni socjalnych")
    _sub(node, "baseURL", site.absolute_url(request.path))
    _sub(node, "protocolVersion", "2.0")
    _sub(node, "adminEmail", getattr(settings, "PUBLICATIONS_OAI_ADMIN_EMAIL", settings.DEFAULT_FROM_EMAIL))
    _sub(node, "earliestDatestamp", datestamp(earliest or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    _sub(node, "deletedRecord", "no")
    _sub(node, "granularity", GRANULARITY)


def _list_metadata_formats(request, root, args) -> None:
    if "identifier" in args:
        _get_published(args["identifier"])
    node = _sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        fmt = _sub(node, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)


def _list_sets(request, root, args) -> None:
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "Lista zbiorów nie jest dzielona na części; ten token jest nieważny.")
    series = list(selectors.series_public_list())
    if not series:
        raise OAIError("noSetHierarchy", "Repozytorium nie ma jeszcze zbiorów (serii z opublikowanymi pozycjami).")
    node = _sub(root, "ListSets")
    for item in series:
        entry = _sub(node, "set")
        _sub(entry, "setSpec", item.slug)
        _sub(entry, "setName", item.title)


def _get_published(identifier: str) -> Publication:
    pk = _publication_pk(identifier)
    publication = selectors.publication_public_queryset().filter(pk=pk).first() if pk else None
    if publication is None:
        raise OAIError("idDoesNotExist", f"Nie ma opublikowanej pozycji o identyfikatorze {identifier!r}.")
    return publication


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Nieobsługiwany format metadanych: {prefix!r} (dostępny: oai_dc).")


def _get_record(request, root, args) -> None:
    _check_prefix(args["metadataPrefix"])
    publication = _get_published(args["identifier"])
    record = _sub(_sub(root, "GetRecord"), "record")
    _header(record, publication)
    _dublin_core(_sub(record, "metadata"), publication, request)


def _selection(args) -> dict:
    """The harvest's selection arguments, validated; also what a resumption token carries."""
    _check_prefix(args["metadataPrefix"])
    selection = {"metadataPrefix": args["metadataPrefix"]}
    granularities = set()
    if "from" in args:
        _, granularity = _parse_date(args["from"], end=False)
        granularities.add(granularity)
        selection["from"] = args["from"]
    if "until" in args:
        _, granularity = _parse_date(args["until"], end=True)
        granularities.add(granularity)
        selection["until"] = args["until"]
    if len(granularities) > 1:
        raise OAIError("badArgument", "Argumenty from i until muszą mieć tę samą dokładność.")
    if "from" in selection and "until" in selection:
        if _parse_date(selection["from"], end=False)[0] >= _parse_date(selection["until"], end=True)[0]:
            raise OAIError("badArgument", "Data from jest późniejsza niż until.")
    if "set" in args:
        if not Series.objects.filter(slug=args["set"]).exists():
            raise OAIError("badArgument", f"Nieznany zbiór: {args['set']!r}.")
        selection["set"] = args["set"]
    return selection


def _selected_queryset(selection: dict):
    queryset = selectors.publication_public_queryset()
    if "from" in selection:
        queryset = queryset.filter(updated_at__gte=_parse_date(selection["from"], end=False)[0])
    if "until" in selection:
        queryset = queryset.filter(updated_at__lt=_parse_date(selection["until"], end=True)[0])
    if "set" in selection:
        queryset = queryset.filter(series__slug=selection["set"])
    return queryset.order_by("pk")


def _read_token(token: str, verb: str) -> dict:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise OAIError("badResumptionToken", "Token wznowienia jest nieważny lub wygasł.") from None
    if not isinstance(data, dict) or data.get("verb") != verb or not isinstance(data.get("after"), int):
        raise OAIError("badResumptionToken", "Token wznowienia nie pasuje do tego zapytania.")
    return data


def _list(request, root, args, verb: str) -> None:
    if "resumptionToken" in args:
        token = _read_token(args["resumptionToken"], verb)
        selection, after, cursor = token["selection"], token["after"], token["cursor"]
    else:
        selection, after, cursor = _selection(args), 0, 0
    queryset = _selected_queryset(selection)
    complete_size = queryset.count()
    size = page_size()
    page = list(queryset.filter(pk__gt=after)[: size + 1])
    if not page:
        if cursor:  # the list shrank under the harvester (items unpublished); end it cleanly
            raise OAIError("badResumptionToken", "Lista zmieniła się od poprzedniej części; rozpocznij od nowa.")
        raise OAIError("noRecordsMatch", "Żadna pozycja nie spełnia podanych kryteriów.")
    has_more = len(page) > size
    page = page[:size]
    node = _sub(root, verb)
    for publication in page:
        if verb == "ListIdentifiers":
            _header(node, publication)
        else:
            record = _sub(node, "record")
            _header(record, publication)
            _dublin_core(_sub(record, "metadata"), publication, request)
    if has_more or cursor:
        attrs = {"completeListSize": str(complete_size), "cursor": str(cursor)}
        if has_more:
            new_token = signing.dumps(
                {"verb": verb, "selection": selection, "after": page[-1].pk, "cursor": cursor + len(page)},
                salt=TOKEN_SALT,
                compress=True,
            )
            attrs["expirationDate"] = datestamp(timezone.now() + TOKEN_MAX_AGE)
            _sub(node, "resumptionToken", new_token, **attrs)
        else:
            _sub(node, "resumptionToken", "", **attrs)  # empty: the list is complete


VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda request, root, args: _list(request, root, args, "ListIdentifiers"),
    "ListRecords": lambda request, root, args: _list(request, root, args, "ListRecords"),
}


def _is_clean(text: str) -> bool:
    """No control character (C0, DEL, C1, line separators) and nothing else XML 1.0 cannot hold."""
    try:
        validate_single_line(text)
    except ValidationError:
        return False
    return not XML_ILLEGAL.search(text)


def _validate_arguments(params) -> tuple[str, dict[str, str]]:
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Brak poprawnego argumentu verb albo podano go więcej niż raz.")
    verb = verbs[0]
    if not all(_is_clean(key) and all(_is_clean(value) for value in params.getlist(key)) for key in params):
        # Neither the name nor the value is repeated in the answer: XML could not carry it.
        raise OAIError("badArgument", "Argument zawiera znaki sterujące, których nie może zawierać.")
    required, optional = VERB_ARGUMENTS[verb]
    args: dict[str, str] = {}
    for key in params:
        if key == "verb":
            continue
        values = params.getlist(key)
        if key not in required | optional:
            raise OAIError("badArgument", f"Niedozwolony argument dla {verb}: {key}.")
        if len(values) != 1:
            raise OAIError("badArgument", f"Argument {key} podano więcej niż raz.")
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError("badArgument", "Token wznowienia musi być jedynym argumentem obok verb.")
        return verb, args
    missing = required - args.keys()
    if missing:
        raise OAIError("badArgument", f"Brakuje wymaganego argumentu: {', '.join(sorted(missing))}.")
    return verb, args


@csrf_exempt  # harvesters POST without a session; the endpoint is read-only
@require_http_methods(["GET", "POST", "HEAD"])
def endpoint(request):
    """OAI-PMH 2.0 requests, by GET or POST (application/x-www-form-urlencoded)."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        verb, args = _validate_arguments(params)
    except OAIError as error:
        root = _envelope(request, None)
        _sub(root, "error", error.message, code=error.code)
        return _response(root)
    root = _envelope(request, {"verb": verb, **args})
    try:
        VERBS[verb](request, root, args)
    except OAIError as error:
        echoed = None if error.code in ("badVerb", "badArgument") else {"verb": verb, **args}
        root = _envelope(request, echoed)
        _sub(root, "error", error.message, code=error.code)
    return _response(root)
