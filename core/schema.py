"""OpenAPI post-processing: every operation of every app documents the errors the API really returns.

Views declare their success responses (and may declare errors precisely, as the registry API does); this hook adds
what a view left out: 429 everywhere (anonymous rate limit), 404 on reads (unknown object or page out of range),
400 where a client sends parameters or a body, 403 on writes and on reads that need a signed-in user, 401 wherever
an API token is accepted (unknown, expired or revoked token).

An optional query parameter may be empty (`?voivodeship=`, as HTML forms send it), which the API reads as absent
(django-filter, core.pagination): its schema says so (`anyOf` with the empty string) wherever its type, pattern,
format or choices would otherwise refuse "" (for a list parameter, in the schema of its items).

A free-text query parameter (a string with no pattern, format or choices: `search`, a slug, a code) says that it
refuses control characters, as every single-line text input does (core/inputs.py).

An edit that declares 428 (core.concurrency.STALE_EDIT_RESPONSES) needs the version it is based on: its request
body gets a required `version` (a copy of the body's component, so a create sharing that component is unchanged).
"""

import copy

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    # A nested object (survey answers) reports its own fields the same way; a body that is not JSON at all gets
    # {"detail": "<message>"}.
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/ApiFieldErrors"},
            {"type": "string"},
        ]
    },
    "description": "Dla każdego błędnego pola lub parametru lista komunikatów.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
COMPONENT_PREFIX = "#/components/schemas/"


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


EMPTY = {"type": "string", "enum": [""]}
# core.validators.SingleLineValidator: no C0 or C1 control character, DEL or line/paragraph separator.
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"


def _accepts_empty(schema: dict) -> bool:
    if "$ref" in schema or "anyOf" in schema or "oneOf" in schema or schema.get("type") == "array":
        return True  # a choice component, or an exploded list: left as it is
    if schema.get("type", "string") != "string":
        return False
    return not ({"pattern", "format", "enum", "minLength"} & set(schema))


def _allow_empty_query_values(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter["schema"]
        if isinstance(schema.get("enum"), list) and all(isinstance(value, str) for value in schema["enum"]):
            # A choice of words typed after a model field (a boolean offered as "true"/"false"): the words are it.
            schema["type"] = "string"
        if schema.get("type") == "array" and "items" in schema:
            # An exploded list (`?powiat=1261&powiat=`): each of its values may be empty; free text refuses
            # control characters in each value.
            items = schema["items"]
            if items.get("type") == "string" and _accepts_empty(items) and "$ref" not in items:
                items["pattern"] = SINGLE_LINE_PATTERN
            if not parameter.get("required") and not _accepts_empty(schema["items"]):
                schema["items"] = {"anyOf": [schema["items"], EMPTY]}
            continue
        if _accepts_empty(schema) and "type" in schema and "$ref" not in schema and "anyOf" not in schema:
            if schema.get("type") == "string":
                schema["pattern"] = SINGLE_LINE_PATTERN  # "" still matches
            continue
        if parameter.get("required") or _accepts_empty(schema):
            continue
        parameter["schema"] = {"anyOf": [schema, EMPTY]}


def _require_version(operation: dict, schemas: dict) -> None:
    for media in operation.get("requestBody", {}).get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        if not ref.startswith(COMPONENT_PREFIX):
            continue
        name = ref.removeprefix(COMPONENT_PREFIX)
        edit_name = name if name.endswith("Edit") else f"{name}Edit"
        if edit_name not in schemas:
            component = copy.deepcopy(schemas[name])
            component.setdefault("properties", {})["version"] = {
                "type": "integer",
                "minimum": 0,
                "description": "Wersja obiektu, na której opiera się zmiana (z ostatniego odczytu lub nagłówka ETag).",
            }
            component["required"] = sorted({*component.get("required", []), "version"})
            schemas[edit_name] = component
        media["schema"] = {"$ref": COMPONENT_PREFIX + edit_name}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", ERROR)
    schemas.setdefault("ApiFieldErrors", FIELD_ERRORS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            wanted = {
                "429": _response("Przekroczony limit zapytań; nagłówek Retry-After mówi, kiedy ponowić.", "ApiError")
            }
            if method == "get":
                wanted["404"] = _response("Nie ma takiego obiektu albo takiej strony wyników.", "ApiError")
            if has_query or method in WRITE_METHODS:
                wanted["400"] = _response("Nieprawidłowe parametry lub dane.", "ApiFieldErrors")
            if method in WRITE_METHODS or {} not in operation.get("security", [{}]):
                wanted["403"] = _response("Brak uprawnień do tej operacji.", "ApiError")
            if method in WRITE_METHODS:
                wanted["403"] = _response("Brak uprawnień do tej operacji.", "ApiError")
                wanted["404"] = _response("Nie ma takiego obiektu.", "ApiError")
            if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
                wanted["401"] = _response("Nieznany, wygasły albo odwołany token API.", "ApiError")
            if "428" in responses:
                _require_version(operation, schemas)
            _allow_empty_query_values(operation)
            for status, response in wanted.items():
                responses.setdefault(status, response)
    return result
