"""OpenAPI post-processing: every operation of every app documents the errors the API really returns.

Views declare their success responses (and may declare errors precisely, as the registry API does); this hook adds
what a view left out: 429 everywhere (anonymous rate limit), 404 on reads (unknown object or page out of range),
400 where a client sends parameters or a body, 403 on writes and on reads that need a signed-in user.
"""

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


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


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
            for status, response in wanted.items():
                responses.setdefault(status, response)
    return result
