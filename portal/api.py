"""The channel table and channel posts through the API (CONTRACT.md): GET /api/channels/ for any
user; /api/channel-posts/ for the disclosure office only. Thin: parse, call portal.services."""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import inputs
from core.inputs import query_date
from core.pagination import Pagination
from core.schema import query_integer, query_string
from portal import services
from portal.models import ChannelPost
from workflow.channels import Channel
from workflow.api import ServiceErrors
from workflow.models import DisclosureItem


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["code", "name", "active", "online", "order"]


class ChannelPostSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id")
    item_title = serializers.CharField(source="item.title")
    channel = serializers.CharField(source="channel.code")
    channel_name = serializers.CharField(source="channel.name")
    posted_on = serializers.SerializerMethodField()
    note = serializers.CharField(source="reference")
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = ChannelPost
        fields = ["id", "item", "item_title", "channel", "channel_name", "posted_on", "posted_at", "url", "note",
                  "recorded_by", "recorded_at"]

    def get_posted_on(self, post) -> datetime.date:
        return timezone.localdate(post.posted_at)


class ChannelPostInput(inputs.StrictInputSerializer):
    item = serializers.IntegerField(min_value=1, max_value=inputs.ID_MAX, help_text="a published item's id")
    channel = inputs.APITextField(max_length=50, allow_blank=False, help_text="a channel code (GET /api/channels/)")
    posted_on = serializers.DateField(help_text="the post's own date (counted in the report of that date's period)")
    url = serializers.URLField(required=False, allow_blank=True, max_length=ChannelPost._meta.get_field("url").max_length,
                               help_text="the post's link")
    note = inputs.APITextField(required=False, allow_blank=True, max_length=ChannelPost._meta.get_field("reference").max_length,
                               help_text="where to find it without a link (issue, meeting)")


def posted_at(day):
    """A post dated only by its day is stored at noon of that day, school time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _require_office(user):
    if not services.may_record_channels(user):
        raise PermissionDenied("Only the disclosure office records channel posts.")



class ChannelListView(ServiceErrors, APIView):
    @extend_schema(responses=ChannelSerializer(many=True), summary="The channel table (公开途径)")
    def get(self, request):
        return Response(ChannelSerializer(Channel.objects.order_by("order", "code"), many=True).data)


class ChannelPostListView(ServiceErrors, APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            query_integer("item", "a published item's id", minimum=1),
            query_string("channel", "channel code", max_length=50),
            OpenApiParameter("from", OpenApiTypes.DATE, description="posted on or after"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="posted on or before"),
        ],
        responses=ChannelPostSerializer(many=True),
        summary="Channel posts (office only)",
    )
    def get(self, request):
        _require_office(request.user)
        posts = ChannelPost.objects.current().select_related("item", "channel", "recorded_by").order_by("-posted_at", "-id")
        item = inputs.query_int(request, "item", minimum=1, maximum=inputs.ID_MAX, allow_blank=False)
        if item:
            posts = posts.filter(item_id=item)
        channel = inputs.query_text(request, "channel", max_length=50, allow_blank=False)
        if channel:
            posts = posts.filter(channel__code=channel)
        day = query_date(request, "from", allow_blank=False)
        if day:
            posts = posts.filter(posted_at__gte=posted_at(day) - datetime.timedelta(hours=12))
        day = query_date(request, "to", allow_blank=False)
        if day:
            posts = posts.filter(posted_at__lt=posted_at(day) + datetime.timedelta(hours=12))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(posts, request, view=self)
        return paginator.get_paginated_response(ChannelPostSerializer(page, many=True).data)

    @extend_schema(request=ChannelPostInput, responses={201: ChannelPostSerializer}, summary="Record a post (office only)")
    def post(self, request):
        _require_office(request.user)
        data = ChannelPostInput(data=request.data)
        if not data.is_valid():
            raise DjangoValidationError({field: [str(m) for m in messages] for field, messages in data.errors.items()})
        values = data.validated_data
        item = DisclosureItem.objects.select_related("department").filter(pk=values["item"]).first()
        if item is None:
            raise DjangoValidationError({"item": [_("Unknown item.")]})
        post = services.record_post(
            item, actor=request.user, channel=values["channel"], url=values.get("url", ""),
            reference=values.get("note", ""), posted_at=posted_at(values["posted_on"]),
        )
        post = ChannelPost.objects.select_related("item", "channel", "recorded_by").get(pk=post.pk)
        return Response(ChannelPostSerializer(post).data, status=status.HTTP_201_CREATED)


class ChannelPostDetailView(ServiceErrors, APIView):
    @extend_schema(
        parameters=[query_string("reason", "why the record is removed (kept with it)", max_length=500)],
        responses={204: None},
        summary="Remove a mistaken post (office only; kept with the reason, no longer counted)",
    )
    def delete(self, request, pk):
        _require_office(request.user)
        post = ChannelPost.objects.current().select_related("item__department", "channel").filter(pk=pk).first()
        if post is None:
            raise Http404("No such post")
        reason = inputs.query_text(request, "reason", max_length=500, allow_blank=False) or "通过接口删除"
        services.remove_post(post, actor=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)
