"""Disclosure on application through the API (CONTRACT.md): requests and their steps, complaints and
evaluations. Thin: parse the body's types, call the foi.services function the office's pages call
(same validation, clocks and audit), serialise. 403 = may not, 409 = not in this status, 400 = bad
input (field → messages)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import inputs
from core.grounds import RefusalGround
from core.inputs import APITextField, StrictInputSerializer, query_date
from core.pagination import Pagination
from foi import services
from foi.access import request_for
from foi.models import Complaint, Evaluation, InformationRequest
from policies.models import Department
from workflow.api import ServiceErrors

# confirm and assign are the office's; draft and approve the assigned department's liaison and head.
ACTIONS = ("confirm", "assign", "draft", "approve", "pause", "resume", "extend", "answer")
DEPARTMENT_ACTIONS = {"draft": "draft_answer", "approve": "approve_draft"}


# --- output ------------------------------------------------------------------------------------


class RequestSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    outcome_display = serializers.CharField(source="get_outcome_display")
    answered_in_time = serializers.BooleanField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = InformationRequest
        fields = [
            "id", "number", "received_on", "applicant_name", "applicant_kind", "contact", "description",
            "about_own_information", "identity_checked", "form_wanted", "delivery", "department", "status",
            "status_display", "due_on", "deadline_provisional", "extended_days", "extension_reason",
            "paused_working_days", "paused_since", "outcome", "outcome_display", "refusal_ground", "referred_to",
            "answer", "answered_on", "answered_in_time", "actions",
        ]

    def get_actions(self, req) -> list[str]:
        """What this user may do with the request now."""
        user = self.context["request"].user
        if not services.may_manage(user):
            return self._department_actions(user, req)
        if req.status == InformationRequest.Status.CLOSED:
            return []
        if req.status == InformationRequest.Status.SUBMITTED:
            return ["confirm"]
        actions = ["extend"] if not req.extended_days else []
        if req.status == InformationRequest.Status.OPEN:
            actions.insert(0, "pause")
        else:
            actions.insert(0, "resume")
        return ["assign", *actions, "answer"]

    @staticmethod
    def _department_actions(user, req):
        if req.status != InformationRequest.Status.OPEN:
            return []
        actions = ["draft"] if services.may_handle_for_department(user, req, "draft_items") else []
        if (req.draft_state == "drafted" and req.drafted_by_id != user.pk
                and services.may_handle_for_department(user, req, "approve_items")):
            actions.append("approve")
        return actions


class ComplaintSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Complaint
        fields = ["id", "kind", "kind_display", "received_on", "summary", "result", "closed_on"]


class EvaluationSerializer(serializers.ModelSerializer):
    evaluators_display = serializers.CharField(source="get_evaluators_display")

    class Meta:
        model = Evaluation
        fields = ["id", "held_on", "evaluators", "evaluators_display", "participants", "satisfied", "summary"]


# --- input: types only; the services check the rules ----------------------------------------------
# Text under the input policy (core.inputs.APITextField); single line unless multiline=True.


class RequestInput(StrictInputSerializer):
    received_on = serializers.DateField()
    applicant_name = APITextField(max_length=200)
    applicant_kind = serializers.ChoiceField(choices=InformationRequest.ApplicantKind.choices)
    contact = APITextField(max_length=300)
    description = APITextField(multiline=True, max_length=20000)
    form_wanted = serializers.ChoiceField(choices=InformationRequest.Form.choices, required=False)
    delivery = serializers.ChoiceField(choices=InformationRequest.Delivery.choices, required=False)
    about_own_information = inputs.APIBooleanField(required=False)
    identity_checked = inputs.APIBooleanField(required=False)
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(active=True),
                                              required=False, allow_null=True, help_text="handling department code")


class ConfirmInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="the day both sides confirmed; the clock starts here; default: today")


class AssignInput(serializers.Serializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(active=True),
                                              help_text="the department that holds the information (code)")


class DraftInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=InformationRequest.Outcome.choices)
    answer = APITextField(multiline=True, max_length=20000,
                          help_text="the answer the office will send, as drafted by the department")
    refusal_ground = serializers.ChoiceField(choices=RefusalGround.choices, required=False, allow_blank=True,
                                             help_text="required for refused and partial")
    referred_to = APITextField(required=False, allow_blank=True, max_length=200, help_text="the right body, for not_held")


class ApproveInput(serializers.Serializer):
    comment = APITextField(multiline=True, required=False, allow_blank=True, max_length=10000)


class PauseInput(serializers.Serializer):
    waiting_for = serializers.ChoiceField(choices=[("correction", "补正"), ("third_party", "第三方意见")])
    note = APITextField(multiline=True, max_length=10000, help_text="what is asked for")
    on = serializers.DateField(required=False, help_text="default: today")


class ResumeInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="the day the correction or opinion arrived; default: today")


class ExtendInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=1000,
                                    help_text="working days, once, at most FOI_MAX_EXTENSION_WORKING_DAYS")
    reason = APITextField(max_length=300, help_text="the reason the applicant is told")


class AnswerInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=InformationRequest.Outcome.choices)
    answer = APITextField(multiline=True, max_length=20000, help_text="the answer sent to the applicant")
    refusal_ground = serializers.ChoiceField(choices=RefusalGround.choices, required=False, allow_blank=True,
                                             help_text="required for refused and partial")
    referred_to = APITextField(required=False, allow_blank=True, max_length=200, help_text="the right body, for not_held")
    on = serializers.DateField(required=False, help_text="default: today")


ACTION_INPUTS = {"confirm": ConfirmInput, "assign": AssignInput, "draft": DraftInput, "approve": ApproveInput,
                 "pause": PauseInput, "resume": ResumeInput, "extend": ExtendInput, "answer": AnswerInput}


def _action_input():
    """One body for every action (the schema's RequestActionInput): the fields of all of them, none
    required by the schema — which an action needs is its own rule (a 400 naming the field). Fields
    another action takes are ignored, like the disclosures' actions; any other field is refused."""
    fields = {}
    for action, serializer_class in ACTION_INPUTS.items():
        for name, field in serializer_class().fields.items():
            if name not in fields:
                fields[name] = field.__class__(*field._args, **{**field._kwargs, "required": False})
    return type("RequestActionInput", (StrictInputSerializer,), {**fields, "__doc__": _action_input.__doc__})


RequestActionInput = _action_input()


class ComplaintInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=Complaint.Kind.choices)
    received_on = serializers.DateField()
    summary = APITextField(multiline=True, max_length=10000)


class EvaluationInput(StrictInputSerializer):
    held_on = serializers.DateField()
    evaluators = serializers.ChoiceField(choices=Evaluation.Evaluators.choices)
    participants = serializers.IntegerField(min_value=1, max_value=1_000_000)
    satisfied = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="at most `participants`")
    summary = APITextField(multiline=True, required=False, allow_blank=True, max_length=10000)


def _parsed(serializer_class, request):
    data = serializer_class(data=request.data)
    if not data.is_valid():
        raise DjangoValidationError({field: [str(m) for m in messages] for field, messages in data.errors.items()})
    return dict(data.validated_data)


def _require(check, user):
    if not check(user):
        raise PermissionDenied("Only the disclosure office handles disclosure on application.")



def _page(view, request, queryset, serializer_class):
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)


PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="on or after"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="on or before"),
]


def _period(request, queryset, field):
    start, end = query_date(request, "from", allow_blank=False), query_date(request, "to", allow_blank=False)
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


# --- views ---------------------------------------------------------------------------------------


class RequestListView(ServiceErrors, APIView):
    pagination_class = Pagination  # documented as paginated in the schema

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=InformationRequest.Status.values), *PERIOD],
        responses=RequestSerializer(many=True),
        summary="Requests for information (office, auditors and leaders read)",
    )
    def get(self, request):
        _require(services.may_view, request.user)
        requests = InformationRequest.objects.select_related("department").order_by("-received_on", "-id")
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in InformationRequest.Status.values:
                raise DjangoValidationError({"status": [f"One of {', '.join(InformationRequest.Status.values)}."]})
            requests = requests.filter(status=wanted)
        return _page(self, request, _period(request, requests, "received_on"), RequestSerializer)

    @extend_schema(request=RequestInput, responses={201: RequestSerializer},
                   summary="Register a request as received (its 15-working-day clock starts)")
    def post(self, request):
        _require(services.may_manage, request.user)
        req = services.receive(actor=request.user, **_parsed(RequestInput, request))
        return Response(RequestSerializer(req, context={"request": request}).data, status=status.HTTP_201_CREATED)


class RequestDetailView(ServiceErrors, APIView):
    @extend_schema(responses=RequestSerializer, summary="One request (404 for anyone who may not see it, as for a missing one)")
    def get(self, request, pk):
        return Response(RequestSerializer(request_for(request.user, pk), context={"request": request}).data)


class RequestActionView(ServiceErrors, APIView):
    @extend_schema(
        operation_id="foi_requests_action",
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ACTIONS))],
        request=RequestActionInput,
        responses={200: RequestSerializer},
        summary="confirm (an online application: the clock starts), assign (to the department that holds the "
                "information), draft and approve (that department's liaison and head), pause (补正 or third party: "
                "the clock stops), resume, extend (once), answer (with the outcome)",
    )
    def post(self, request, pk, action):
        req = request_for(request.user, pk)
        if action in DEPARTMENT_ACTIONS:
            command = getattr(services, DEPARTMENT_ACTIONS[action])  # the service checks liaison or head
        else:
            _require(services.may_manage, request.user)
            command = getattr(services, action)
        if hasattr(request.data, "keys"):
            inputs.check_known_fields(request.data, RequestActionInput().fields)
        data = _parsed(ACTION_INPUTS[action], request)
        req = command(req, actor=request.user, **data)
        req = InformationRequest.objects.select_related("department").get(pk=req.pk)
        return Response(RequestSerializer(req, context={"request": request}).data)


class ComplaintListView(ServiceErrors, APIView):
    pagination_class = Pagination  # documented as paginated in the schema

    @extend_schema(parameters=PERIOD, responses=ComplaintSerializer(many=True),
                   summary="Complaints, reconsiderations and lawsuits about the disclosure work")
    def get(self, request):
        _require(services.may_view, request.user)
        return _page(self, request, _period(request, Complaint.objects.order_by("-received_on", "-id"), "received_on"),
                     ComplaintSerializer)

    @extend_schema(request=ComplaintInput, responses={201: ComplaintSerializer}, summary="Record a complaint")
    def post(self, request):
        _require(services.may_manage, request.user)
        complaint = services.record_complaint(actor=request.user, **_parsed(ComplaintInput, request))
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class EvaluationListView(ServiceErrors, APIView):
    pagination_class = Pagination  # documented as paginated in the schema

    @extend_schema(parameters=PERIOD, responses=EvaluationSerializer(many=True), summary="Evaluations (评议)")
    def get(self, request):
        _require(services.may_view, request.user)
        return _page(self, request, _period(request, Evaluation.objects.order_by("-held_on", "-id"), "held_on"),
                     EvaluationSerializer)

    @extend_schema(request=EvaluationInput, responses={201: EvaluationSerializer}, summary="Record an evaluation")
    def post(self, request):
        _require(services.may_manage, request.user)
        evaluation = services.record_evaluation(actor=request.user, **_parsed(EvaluationInput, request))
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)
