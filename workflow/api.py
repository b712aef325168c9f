"""The disclosure, task and catalogue endpoints of CONTRACT.md. Thin: parse, call one service,
serialise. 403 = may not, 409 = not in this state, 400 = bad input (field → messages)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import inputs
from core.renderers import FILE_RENDERERS
from core.pagination import Pagination
from core.schema import page_parameters, paginated, query_integer, query_string, text_pattern
from core.exceptions import StateConflict
from core.grounds import RefusalGround
from workflow import params, queues, rules, services
from workflow.access import attachment_response, item_for
from workflow.models import Attachment, CatalogueEntry, DisclosureItem, DisclosureTask, Notification, State
from workflow.transitions import API_ACTIONS


class ServiceErrors:
    """Map the services' exceptions to the contract's status codes."""

    def handle_exception(self, exc):
        if isinstance(exc, StateConflict):
            return Response({"detail": exc.message, "state": exc.state}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, DjangoValidationError):
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


# --- output ------------------------------------------------------------------------------------


class CatalogueEntrySerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    category_number = serializers.IntegerField(source="category.number")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = CatalogueEntry
        fields = ["id", "code", "category", "category_number", "title", "department", "applicable",
                  "not_applicable_reason", "frequency", "active"]


class ItemListSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    catalogue_entry = serializers.IntegerField(source="catalogue_entry_id")
    catalogue_code = serializers.CharField(source="catalogue_entry.code")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureItem
        fields = ["id", "state", "title", "version", "department", "catalogue_entry", "catalogue_code",
                  "produced_on", "due_on", "deadline_provisional", "overdue", "published_at"]

    def get_overdue(self, item) -> bool:
        return item.is_overdue()


class StepSerializer(serializers.Serializer):
    time = serializers.DateTimeField(source="created_at")
    actor = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    role = serializers.CharField()
    action = serializers.CharField()
    version = serializers.IntegerField()
    state_before = serializers.CharField()
    state_after = serializers.CharField()
    comment = serializers.CharField()
    data = serializers.JSONField()

    def get_actor(self, step) -> str:
        return step.actor.get_username() if step.actor else "system"

    def get_actor_name(self, step) -> str:
        return (step.actor.get_full_name() or step.actor.get_username()) if step.actor else _("system")


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        return f"/api/disclosures/{attachment.item_id}/attachments/{attachment.pk}/"


def _actions(item, user):
    """What this user may do to the item now; for the office, `reassign` (改派) when the item page
    offers it (workflow.services.reassign_candidates)."""
    actions = rules.available_actions(item, user)
    if services.reassign_candidates(item, user):
        actions.append("reassign")
    return actions


class ItemDetailSerializer(ItemListSerializer):
    state_display = serializers.CharField(source="get_state_display")
    department_name = serializers.CharField(source="department.name")
    created_by = serializers.CharField(source="created_by.username")
    corrections = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                               help_text="the person the office gave this step's task to (改派), or null")

    class Meta(ItemListSerializer.Meta):
        fields = ItemListSerializer.Meta.fields + ["assigned_to"] + [
            "state_display", "body", "department_name", "channels", "is_policy_document", "interpretation",
            "interpretation_url", "is_major", "touches_state_secret", "refusal_ground", "publish_at",
            "supersedes", "corrections", "withdrawn_reason", "withdrawn_at", "created_by", "created_at",
            "actions", "history", "versions", "attachments", "document_number", "external_ref", "imported_at",
        ]

    def get_corrections(self, item) -> list[int]:
        return list(item.corrections.values_list("pk", flat=True))

    def get_actions(self, item) -> list[str]:
        return _actions(item, self.context["request"].user)

    def get_history(self, item) -> list[dict]:
        return StepSerializer(item.steps.select_related("actor").order_by("created_at", "id"), many=True).data

    def get_versions(self, item) -> list[dict]:
        return [
            {"number": v.number, "title": v.title, "sha256": v.sha256, "submitted_by": v.submitted_by.username,
             "submitted_at": v.submitted_at}
            for v in item.versions.select_related("submitted_by").order_by("number")
        ]

    def get_attachments(self, item) -> list[dict]:
        return AttachmentSerializer(item.attachments.filter(removed_at__isnull=True), many=True).data


# --- input (documentation of the bodies; workflow.params reads them) -----------------------------


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=inputs.ID_MAX, **kwargs)


def _channels_field(help_text):
    return serializers.ListField(child=inputs.APITextField(allow_blank=False, max_length=50), required=False,
                                 help_text=help_text)


@extend_schema_field({
    "type": "string", "maxLength": params.URL_MAX,
    "pattern": "^(https?://|/)" + text_pattern().removeprefix("^").replace("]+$", "]*$"),
    "description": "a web address (http://, https://) or a path on this site; empty for none",
})
class _LinkField(inputs.APITextField):
    pass


class ItemInput(serializers.Serializer):
    catalogue_entry = _id_field(help_text="catalogue entry id (GET /api/catalogue/)")
    title = inputs.APITextField(max_length=params.TITLE_MAX, allow_blank=False)
    body = inputs.APITextField(multiline=True, required=False, allow_blank=True,
                               help_text="HTML; sanitised, scripts refused; at most BODY_MAX_BYTES (1 MB) after sanitising")
    produced_on = serializers.DateField(help_text="not in the future, nor before 1900-01-01")
    channels = _channels_field("channel codes (GET /api/channels/)")
    is_policy_document = serializers.BooleanField(required=False)
    interpretation = _id_field(required=False, allow_null=True,
                               help_text="the policy interpretation: an item you may see")
    interpretation_url = _LinkField(required=False, allow_blank=True, max_length=params.URL_MAX)
    is_major = serializers.BooleanField(required=False)
    touches_state_secret = serializers.BooleanField(required=False)


class ItemPatchInput(ItemInput):
    catalogue_entry = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ActionInput(serializers.Serializer):
    comment = inputs.APITextField(multiline=True, required=False, allow_blank=True, max_length=params.COMMENT_MAX,
                                  help_text="required for return, redact, refuse, withdraw")
    ground = serializers.ChoiceField(choices=RefusalGround.choices, required=False, help_text="refuse only")
    channels = _channels_field("publish only: channel codes (GET /api/channels/); the portal is always included")
    publish_at = serializers.DateTimeField(required=False, help_text="publish only; omitted = now")


def _data(request):
    data = request.data
    if hasattr(data, "dict"):  # a QueryDict from a form: keep lists for channels
        plain = data.dict()
        if "channels" in data:
            plain["channels"] = data.getlist("channels")
        return plain
    if not isinstance(data, dict):
        raise DjangoValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return dict(data)


class ActionResultSerializer(serializers.ModelSerializer):
    """What an action returns: the item's new state and what this user may do next (the full item
    is GET /api/disclosures/{id}/)."""

    state_display = serializers.CharField(source="get_state_display")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureItem
        fields = ["id", "state", "state_display", "version", "due_on", "deadline_provisional", "refusal_ground",
                  "publish_at", "published_at", "supersedes", "actions"]

    def get_actions(self, item) -> list[str]:
        return _actions(item, self.context["request"].user)


def _detail(item, request, code=status.HTTP_200_OK):
    item = DisclosureItem.objects.select_related("department", "catalogue_entry", "created_by").get(pk=item.pk)
    return Response(ItemDetailSerializer(item, context={"request": request}).data, status=code)


# --- views ---------------------------------------------------------------------------------------


class CatalogueView(ServiceErrors, APIView):
    @extend_schema(responses=CatalogueEntrySerializer(many=True), summary="The disclosure catalogue")
    def get(self, request):
        entries = CatalogueEntry.objects.filter(active=True).select_related("category", "department")
        return Response(CatalogueEntrySerializer(entries, many=True).data)


class DisclosureListView(ServiceErrors, APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    # The list is paginated (LimitOffsetPagination, the project default): said so to the schema,
    # which otherwise documents a bare array.
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=State.values),
            query_string("department", "department code", max_length=20),
            *page_parameters(),
        ],
        responses=paginated(ItemListSerializer),
        operation_id="disclosures_list",
        summary="The items this user may see",
    )
    def get(self, request):
        items = queues.visible_items(request.user).select_related("department", "catalogue_entry")
        state = request.query_params.get("state")
        if state is not None:
            if state not in State.values:
                raise DjangoValidationError({"state": [_("Unknown state; one of %(states)s.") % {"states": ", ".join(State.values)}]})
            items = items.filter(state=state)
        department = inputs.query_text(request, "department", max_length=20, allow_blank=False)
        if department:
            items = items.filter(department__code=department)
        items = items.order_by("-id")
        paginator = self.paginator
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ItemListSerializer(page, many=True).data)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            self._paginator = self.pagination_class()
        return self._paginator

    @extend_schema(request=ItemInput, responses={201: ItemDetailSerializer}, summary="Draft a new item")
    def post(self, request):
        entry, fields = params.new_item(_data(request), actor=request.user)
        item = services.create_item(actor=request.user, catalogue_entry=entry, **fields)
        return _detail(item, request, status.HTTP_201_CREATED)


class DisclosureDetailView(ServiceErrors, APIView):
    @extend_schema(responses=ItemDetailSerializer, summary="One item, with what you may do and its history")
    def get(self, request, pk):
        return _detail(item_for(request.user, pk), request)

    @extend_schema(request=ItemPatchInput, responses=ItemDetailSerializer, summary="Edit a draft or returned item")
    def patch(self, request, pk):
        item = item_for(request.user, pk, to="edit")
        item = services.edit_item(item, actor=request.user, **params.item_changes(_data(request), item, actor=request.user))
        return _detail(item, request)


class DisclosureActionView(ServiceErrors, APIView):
    @extend_schema(
        operation_id="disclosures_action",
        request=ActionInput,
        responses={200: ActionResultSerializer},
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=API_ACTIONS)],
        summary="submit, approve, return, clear, redact (clear with redactions), refuse, publish, withdraw, correct",
    )
    def post(self, request, pk, action):
        if action not in API_ACTIONS:
            raise DjangoValidationError({"action": [_("Unknown action.")]})
        item = item_for(request.user, pk, to=action)  # 404 unseen; 403 holds no role for it
        given = params.action_params(action, _data(request), actor=request.user)
        result = services.perform(item, action, actor=request.user, **given)
        if action == "publish" and result.state == State.PUBLISHING and not (
            result.publish_at and result.publish_at > timezone.now()
        ):
            result.refresh_from_db(fields=["state", "published_at"])  # the job may have run in-process
        return Response(ActionResultSerializer(result, context={"request": request}).data)


class ReassignInput(inputs.StrictInputSerializer):
    to = inputs.APITextField(max_length=150, allow_blank=False,
                             help_text="username of another holder of the step's role in the item's department")
    comment = inputs.APITextField(multiline=True, required=False, allow_blank=True, max_length=500)


class DisclosureReassignView(ServiceErrors, APIView):
    @extend_schema(request=ReassignInput, responses={200: ItemDetailSerializer},
                   summary="The office gives the current step's task to another holder of its role (改派)")
    def post(self, request, pk):
        item = item_for(request.user, pk)  # 404 unseen
        given = ReassignInput(data=_data(request))
        if not given.is_valid():
            return Response(given.errors, status=status.HTTP_400_BAD_REQUEST)
        comment = inputs.clean_text(given.validated_data.get("comment", ""), multiline=True)
        target = get_user_model().objects.filter(username=given.validated_data["to"], is_active=True).first()
        if target is None:
            raise DjangoValidationError({"to": [_("No such person.")]})
        services.reassign(item, to=target, actor=request.user, comment=comment)
        return _detail(item, request)


class AttachmentListView(ServiceErrors, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request, pk):
        item = item_for(request.user, pk)
        return Response(AttachmentSerializer(item.attachments.filter(removed_at__isnull=True), many=True).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("AttachmentUpload", {"file": serializers.FileField()})},
        responses={201: AttachmentSerializer},
        summary="Attach a file (typed by content, size-limited)",
    )
    def post(self, request, pk):
        item = item_for(request.user, pk)
        attachment = services.add_attachment(item, actor=request.user, uploaded_file=request.FILES.get("file"))
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDetailView(ServiceErrors, APIView):
    renderer_classes = FILE_RENDERERS  # the file's own type, whatever the client accepts
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, attachment_pk):
        item = item_for(request.user, pk)
        attachment = item.attachments.filter(pk=attachment_pk).first()
        if attachment is None:
            raise Http404("No such attachment")
        return attachment_response(attachment)

    @extend_schema(responses={204: None})
    def delete(self, request, pk, attachment_pk):
        item = item_for(request.user, pk)
        attachment = item.attachments.filter(pk=attachment_pk, removed_at__isnull=True).first()
        if attachment is None:
            raise Http404("No such attachment")
        services.remove_attachment(attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskSerializer(ItemListSerializer):
    task = serializers.SerializerMethodField()
    item = serializers.IntegerField(source="id")
    actions = serializers.ListField(source="available_actions", child=serializers.CharField())
    on_behalf_of = serializers.ListField(child=serializers.CharField(),
                                         help_text="代理: the names of the people you act for here ([] when it is your own task)")

    class Meta(ItemListSerializer.Meta):
        fields = ["task", "item"] + ItemListSerializer.Meta.fields + ["actions", "on_behalf_of"]

    def get_task(self, item) -> int | None:
        return self.context["tasks"].get(item.pk)


TASKS_LIMIT, TASKS_MAX_LIMIT = 100, 500


class TaskListView(ServiceErrors, APIView):
    @extend_schema(
        responses=TaskSerializer(many=True),
        parameters=[
            query_integer("limit", f"at most this many tasks (default {TASKS_LIMIT})", minimum=1, maximum=TASKS_MAX_LIMIT),
            query_integer("offset", "skip this many (default 0)", minimum=0),
        ],
        summary="What waits for me, due soonest first (a page: the X-Total-Count header says how many in all)",
    )
    def get(self, request):
        from viewflow.workflow.status import STATUS

        limit = inputs.query_int(request, "limit", default=TASKS_LIMIT, minimum=1, maximum=TASKS_MAX_LIMIT,
                                 allow_blank=False)
        offset = inputs.query_int(request, "offset", default=0, minimum=0, maximum=inputs.ID_MAX, allow_blank=False)
        waiting = queues.task_items(request.user)
        items = queues.with_actions(waiting[offset:offset + limit], request.user)
        tasks = dict(
            DisclosureTask.objects.filter(
                status=STATUS.NEW, process__artifact_object_id__in=[i.pk for i in items]
            ).values_list("process__artifact_object_id", "pk")
        )
        response = Response(TaskSerializer(items, many=True, context={"tasks": tasks}).data)
        response["X-Total-Count"] = str(waiting.count())
        return response


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "item", "created_at", "read_at"]


class NotificationListView(ServiceErrors, APIView):
    @extend_schema(responses=NotificationSerializer(many=True), summary="My notifications, newest first")
    def get(self, request):
        notes = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")[:100]
        return Response(NotificationSerializer(notes, many=True).data)

    @extend_schema(
        request=inline_serializer("MarkRead", {"ids": serializers.ListField(
            child=_id_field(), required=False, help_text="notification ids; omitted: all")}),
        responses={204: None},
        summary="Mark notifications read (all when ids is omitted)",
    )
    def post(self, request):
        notes = Notification.objects.filter(user=request.user, read_at__isnull=True)
        data = request.data
        if not hasattr(data, "keys"):
            raise DjangoValidationError({"non_field_errors": [_("Send a JSON object.")]})
        inputs.check_known_fields(data, {"ids"})
        if "ids" in data:
            form = hasattr(data, "getlist")  # a form sends each id as text; JSON as numbers
            ids = data.getlist("ids") if form else data.get("ids")
            if not isinstance(ids, list) or any(inputs.as_id(i) is None or not (form or isinstance(i, int)) for i in ids):
                raise DjangoValidationError({"ids": [_("Give a list of notification ids.")]})
            notes = notes.filter(pk__in=[inputs.as_id(i) for i in ids])
        services.mark_read(list(notes), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
