"""The API's one pagination (limit/offset): like DRF's LimitOffsetPagination, but a limit or offset
that is not a whole number in range is a 400 naming it (DRF silently used the default), and the
schema documents the bounds."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from core import inputs

MAX_LIMIT = 500


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return self._read(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._read(request, self.offset_query_param, 0, 0, inputs.ID_MAX)

    @staticmethod
    def _read(request, name, default, minimum, maximum):
        try:
            return inputs.query_int(request, name, default=default, minimum=minimum, maximum=maximum,
                                    allow_blank=False)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.limit_query_param, "required": False, "in": "query",
             "description": f"at most this many results (default {self.default_limit})",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit}},
            {"name": self.offset_query_param, "required": False, "in": "query",
             "description": "skip this many results (default 0)",
             "schema": {"type": "integer", "minimum": 0, "maximum": inputs.ID_MAX}},
        ]
