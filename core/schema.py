"""OpenAPI schema completions (drf-spectacular): what every operation may answer besides success,
and the paginated list envelope, so that the schema matches every response (tested by
schemathesis in tests/api/test_schemathesis.py)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core import inputs

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


# --- the input policy (core.inputs), said in the schema ------------------------------------------

# What no text may hold (NUL and the other C0 controls, DEL, C1 controls, bidirectional controls,
# U+FFFD); single-line text also holds no tab or line break. Lone surrogates are not valid JSON text
# and cannot be written in a pattern that every regex engine accepts, so they go unsaid here.
_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd"
_REFUSED_SINGLE = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd"


def text_pattern(*, multiline=False, allow_blank=True):
    """The regular expression a text value must match: no refused character and, where blanks are
    refused, at least one character that is not white space (values are stripped). Where blanks are
    allowed the schema adds the empty string as its own alternative (drf-spectacular's oneOf), so the
    pattern itself asks for one character at least."""
    refused = _REFUSED if multiline else _REFUSED_SINGLE
    if allow_blank:
        return f"^[^{refused}]+$"
    return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"


class TextFieldExtension(OpenApiSerializerFieldExtension):
    """core.inputs.APITextField documents its policy as a pattern."""

    target_class = "core.inputs.APITextField"

    def map_serializer_field(self, auto_schema, direction):
        schema = build_basic_type(OpenApiTypes.STR)
        field = self.target
        schema["pattern"] = text_pattern(multiline=field.multiline, allow_blank=field.allow_blank)
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if not field.allow_blank:
            schema["minLength"] = 1
        return schema


def query_integer(name, description, *, minimum, maximum=inputs.ID_MAX, required=False):
    """An integer query parameter with its bounds (read with core.inputs.query_int)."""
    return OpenApiParameter(name, {"type": "integer", "minimum": minimum, "maximum": maximum},
                            required=required, description=description)


def query_string(name, description, *, max_length=200):
    """A single-line text query parameter under the input policy (core.inputs.query_text)."""
    return OpenApiParameter(name, {"type": "string", "minLength": 1, "maxLength": max_length,
                                   "pattern": text_pattern(allow_blank=False)}, description=description)


def page_parameters():
    """limit and offset (core.pagination.Pagination), for an APIView that pages by hand."""
    from core.pagination import MAX_LIMIT

    return [query_integer("limit", "at most this many results (default 50)", minimum=1, maximum=MAX_LIMIT),
            query_integer("offset", "skip this many results (default 0)", minimum=0)]


def query_date(name, description):
    return OpenApiParameter(name, OpenApiTypes.DATE, description=description)


def closed_request_bodies(result, generator, request, public):
    """POSTPROCESSING_HOOKS: a request body holds only the fields its schema names — the API
    answers 400 naming any other field (core.inputs.check_known_fields), and the schema says so."""
    schemas = result.get("components", {}).get("schemas", {})

    def close(schema):
        if "$ref" in schema:
            close(schemas.get(schema["$ref"].rsplit("/", 1)[-1], {}))
        for key in ("oneOf", "anyOf", "allOf"):
            for inner in schema.get(key, []):
                close(inner)
        if schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False

    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media in (body or {}).get("content", {}).values():
                close(media.get("schema", {}))
    return result
