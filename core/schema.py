"""OpenAPI schema completions (drf-spectacular): what every operation may answer besides success,
and the paginated list envelope, so that the schema matches every response (tested by
schemathesis in tests/api/test_schemathesis.py)."""

from rest_framework import serializers

ERROR_BODY = {
    "type": "object",
    "description": "field name (or non_field_errors, detail) → messages",
    "additionalProperties": True,
}
DETAIL_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
# Every operation may answer these (input policy, authentication, permission, hidden or missing
# objects, state conflicts, oversize requests, login throttling).
ERRORS = {
    "400": ("Invalid input: a field name → messages (in Chinese by default)", ERROR_BODY),
    "401": ("No or invalid credentials", DETAIL_BODY),
    "403": ("This user may not", DETAIL_BODY),
    "404": ("No such object, or not visible to this user", DETAIL_BODY),
    "405": ("Method not allowed", DETAIL_BODY),
    "406": ("No acceptable representation", DETAIL_BODY),
    "409": ("The object's state does not allow this", DETAIL_BODY),
    "413": ("Request too large", ERROR_BODY),
    "415": ("Unsupported media type", DETAIL_BODY),
}


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS: document the error answers and their bodies on every operation."""
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, (description, body) in ERRORS.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": body}}})
    return result


def paginated(serializer_class, name=None):
    """The LimitOffsetPagination envelope around a list of `serializer_class`."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(
        name or f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
