"""/api/audit/: events, checkpoints, the verifier key and RFC 9162 proofs (CONTRACT.md).
Auditors and the office only; everyone else gets 403 (401 without credentials)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import keys, services
from audit.access import can_view_audit
from audit.models import AuditEvent
from core import inputs
from core.renderers import TEXT_RENDERERS
from core.schema import query_integer

MAX_EVENTS = 1000


class CanViewAudit(BasePermission):
    message = "Only auditors and the disclosure office may read the audit trail."

    def has_permission(self, request, view):
        return can_view_audit(request.user)


def _int_param(request, name, *, default=None, minimum=0, maximum=inputs.ID_MAX):
    """An integer query parameter in its documented bounds (required when there is no default)."""
    try:
        return inputs.query_int(request, name, default=default, minimum=minimum, maximum=maximum,
                                allow_blank=False, required=default is None)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField(help_text="RFC 6962 leaf hash of `event`, hex")
    prev_hash = serializers.CharField(help_text="leaf hash of the previous event, hex (zeros for the first)")
    event = serializers.CharField(help_text="the canonical JSON, byte for byte what was hashed")


class AuditAPIView(APIView):
    permission_classes = [CanViewAudit]


class EventsView(AuditAPIView):
    @extend_schema(
        summary="Audit events after a sequence number",
        parameters=[
            query_integer("after", "return events with seq greater than this (default 0)", minimum=0),
            query_integer("limit", "at most this many (default 100)", minimum=1, maximum=MAX_EVENTS),
        ],
        responses=EventSerializer(many=True),
    )
    def get(self, request):
        after = _int_param(request, "after", default=0)
        limit = _int_param(request, "limit", default=100, minimum=1, maximum=MAX_EVENTS)
        rows = AuditEvent.objects.filter(seq__gt=after).order_by("seq").values_list(
            "seq", "leaf_hash", "prev_hash", "canonical"
        )[:limit]
        return Response([{"seq": s, "hash": h, "prev_hash": p, "event": c} for s, h, p, c in rows])


def _text(body):
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


class CheckpointView(AuditAPIView):
    renderer_classes = TEXT_RENDERERS  # Accept: text/plain (or */*) is what this serves

    @extend_schema(
        summary="The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)",
        responses={(200, "text/plain"): OpenApiTypes.STR, (503, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request):
        # Signs a fresh checkpoint only if events arrived since the last one.
        try:
            return _text(services.checkpoint(reason="api").note)
        except services.CheckpointRefused as error:
            # The log no longer extends what was signed before: nothing new is signed (an alarm
            # has been raised); a client must not take the stored checkpoints on trust now.
            response = _text(f"refused to sign: {error}\n")
            response.status_code = 503
            return response


class KeyView(AuditAPIView):
    renderer_classes = TEXT_RENDERERS  # Accept: text/plain (or */*) is what this serves

    @extend_schema(
        summary="The checkpoint verifier key (signed-note form NAME+KEYID+BASE64)",
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request):
        return _text(keys.verifier_key() + "\n")


class KeyHistoryView(AuditAPIView):
    @extend_schema(
        summary="Every verifier key that signed this log's checkpoints, oldest first, the current one last",
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request):
        return _text("".join(key + "\n" for key in keys.known_verifier_keys()))


class KeyRotationsView(AuditAPIView):
    @extend_schema(
        summary="Each key rotation's statement (old key, new key), a signed note signed by both keys, oldest first",
        responses=inline_serializer("KeyRotations", {"rotations": serializers.ListField(child=serializers.CharField())}),
    )
    def get(self, request):
        return Response({"rotations": keys.rotations()})


class InclusionProofView(AuditAPIView):
    @extend_schema(
        summary="RFC 9162 inclusion proof of event `seq` in the tree of size `size`",
        parameters=[
            query_integer("seq", "the event's sequence number (leaf index + 1), at most the tree size", minimum=1,
                          required=True),
            query_integer("size", "tree size (default: the whole log), at most the log's size", minimum=1),
        ],
        responses=inline_serializer(
            "InclusionProof",
            {
                "leaf_index": serializers.IntegerField(),
                "tree_size": serializers.IntegerField(),
                "hashes": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request):
        seq = _int_param(request, "seq", minimum=1)
        size = _int_param(request, "size", minimum=1) if "size" in request.query_params else None
        try:
            leaf_index, tree_size, proof = services.inclusion_proof(seq, size)
        except services.TreeError as error:
            raise ValidationError({"detail": str(error)}) from None
        return Response({"leaf_index": leaf_index, "tree_size": tree_size, "hashes": [h.hex() for h in proof]})


class ConsistencyProofView(AuditAPIView):
    @extend_schema(
        summary="RFC 9162 consistency proof between tree sizes `from` and `to`",
        parameters=[
            query_integer("from", "the older tree size", minimum=1, required=True),
            query_integer("to", "the newer tree size: at least `from`, at most the log's size", minimum=1, required=True),
        ],
        responses=inline_serializer("ConsistencyProof", {"hashes": serializers.ListField(child=serializers.CharField())}),
    )
    def get(self, request):
        first = _int_param(request, "from", minimum=1)
        second = _int_param(request, "to", minimum=1)
        try:
            proof = services.consistency_proof(first, second)
        except services.TreeError as error:
            raise ValidationError({"detail": str(error)}) from None
        return Response({"hashes": [h.hex() for h in proof]})
