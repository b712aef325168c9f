"""The office's pages for channel records: the published items and, per item, where it went."""


from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from core.inputs import InputPolicyForm
from portal import services
from portal.channels import placements_for
from portal.models import ChannelPost
from workflow.channels import PORTAL, Channel
from portal.public import public_items


class PostForm(InputPolicyForm, forms.Form):
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"), queryset=Channel.objects.filter(active=True).exclude(code=PORTAL)
    )
    url = forms.URLField(label=gettext_lazy("Link"), required=False, max_length=500, assume_scheme="https")
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=200)
    posted_at = forms.DateTimeField(
        label=gettext_lazy("Posted"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class RemoveForm(InputPolicyForm, forms.Form):
    post = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _require_office(user):
    if not services.may_record_channels(user):
        raise PermissionDenied


@login_required
def published_list(request):
    _require_office(request.user)
    items = public_items().select_related("department", "catalogue_entry").order_by("-published_at", "-id")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        items = items.filter(title__icontains=q)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    placements = placements_for(page.object_list)
    rows = [(item, placements.get(item.pk, [])) for item in page.object_list]
    return render(request, "portal/office_channels.html", {"page": page, "rows": rows, "q": q})


@login_required
def item_channels(request, pk):
    _require_office(request.user)
    item = public_items().select_related("department", "catalogue_entry").filter(pk=pk).first()
    if item is None:
        raise Http404
    form, remove_form = PostForm(), RemoveForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                remove_form = RemoveForm(request.POST)
                if remove_form.is_valid():
                    post = ChannelPost.objects.filter(item=item, pk=remove_form.cleaned_data["post"]).first()
                    if post is None:
                        raise Http404
                    services.remove_post(post, actor=request.user, reason=remove_form.cleaned_data["reason"])
                    messages.success(request, _("The record was removed."))
                    return redirect("portal:item-channels", pk=item.pk)
            else:
                form = PostForm(request.POST)
                if form.is_valid():
                    data = form.cleaned_data
                    posted_at = data["posted_at"]
                    if posted_at and timezone.is_naive(posted_at):
                        posted_at = timezone.make_aware(posted_at)
                    services.record_post(
                        item, actor=request.user, channel=data["channel"], url=data["url"],
                        reference=data["reference"], posted_at=posted_at,
                    )
                    messages.success(request, _("Recorded."))
                    return redirect("portal:item-channels", pk=item.pk)
        except ValidationError as error:
            failed = remove_form if request.POST.get("action") == "remove" else form
            # The service calls the post's date `posted_on`; this form, `posted_at`.
            problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, found in problems.items():
                field = "posted_at" if field == "posted_on" else field
                failed.add_error(field if field in failed.fields else None, found)
    posts = item.channel_posts.select_related("channel", "recorded_by").order_by("channel__order", "posted_at")
    return render(
        request,
        "portal/office_item_channels.html",
        {"item": item, "form": form, "remove_form": remove_form, "posts": posts,
         "placements": placements_for([item])[item.pk]},
        status=400 if request.method == "POST" else 200,
    )
