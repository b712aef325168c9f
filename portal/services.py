"""The office's writes on the public site's data: the records of where items went, the guide.
Each one checks permission, changes the rows and appends its audit event in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from core import inputs
from policies.access import can
from portal.cache import bump
from portal.models import ChannelPost, GuideVersion
from workflow.channels import PORTAL, Channel

def may_record_channels(user, item=None):
    return can(user, "publish_items", item.department if item is not None else None)


def _post_state(post):
    return {
        "item": post.item_id,
        "channel": post.channel.code,
        "url": post.url,
        "reference": post.reference,
        "posted_at": post.posted_at.isoformat(),
        "removed": int(post.removed_at is not None),
    }


def record_post(item, *, actor, channel, url="", reference="", posted_at=None):
    """Record that a published item went out on `channel` (a Channel or its code)."""
    if not may_record_channels(actor, item):
        raise PermissionDenied(_("Only the disclosure office records channels."))
    # Published once (a withdrawn item still went where it went).
    if not item.is_public:
        raise ValidationError(_("Only published items have channel records."))
    if not isinstance(channel, Channel):
        channel = Channel.objects.filter(code=channel).first()
        if channel is None:
            raise ValidationError(_("Unknown channel."))
    if channel.code == PORTAL:
        raise ValidationError(_("The disclosure column is recorded automatically on publication."))
    if not channel.active:
        raise ValidationError(_("This channel is no longer in use."))
    url, reference = (url or "").strip(), (reference or "").strip()
    if not url and not reference:
        raise ValidationError(_("Give the post's link or a reference to it."))
    if posted_at is not None and timezone.localdate(posted_at) > timezone.localdate():
        raise ValidationError({"posted_on": [_("A post cannot be dated in the future.")]})
    if posted_at is not None and timezone.localdate(posted_at) < inputs.DATE_MIN:
        # A mistyped year 1 at midnight, school time, is a time before year 1 in UTC: stored, it
        # could not be read back and every page listing the post would fail.
        raise ValidationError({"posted_on": [inputs.MESSAGES["date_range"]]})
    with transaction.atomic():
        post = ChannelPost.objects.create(
            item=item, channel=channel, url=url, reference=reference,
            posted_at=posted_at or timezone.now(), recorded_by=actor,
        )
        record(
            "channel.post.record",
            actor=actor,
            obj=post,
            department=item.department.code,
            after=_post_state(post),
            data={"item": str(item.pk), "channel": channel.code},
        )
    return post


def remove_post(post, *, actor, reason):
    """Take back a mistaken record (kept with the reason; it no longer counts)."""
    if not may_record_channels(actor, post.item):
        raise PermissionDenied(_("Only the disclosure office records channels."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the record is removed."))
    if post.removed_at is not None:
        raise ValidationError(_("This record was already removed."))
    with transaction.atomic():
        before = _post_state(post)
        post.removed_at = timezone.now()
        post.removed_reason = reason[:300]
        post.save(update_fields=["removed_at", "removed_reason"])
        record(
            "channel.post.remove",
            actor=actor,
            obj=post,
            department=post.item.department.code,
            before=before,
            after=_post_state(post),
            data={"item": str(post.item_id), "channel": post.channel.code, "comment": post.removed_reason},
        )
    return post


GUIDE_MAX_CHARS = 100_000


@transaction.atomic
def edit_guide(*, actor, body):
    """A new version of the 信息公开指南 (the office only). Every version is kept and audited;
    the public page shows the latest."""
    import nh3

    if not may_record_channels(actor):
        raise PermissionDenied(_("Only the disclosure office edits the guide."))
    body = nh3.clean(inputs.clean_text(body, multiline=True, max_length=GUIDE_MAX_CHARS))
    if not body.strip():
        raise ValidationError({"body": [_("The guide cannot be empty.")]})
    last = GuideVersion.objects.select_for_update().order_by("-number").first()
    if last is not None and last.body == body:
        return last
    version = GuideVersion.objects.create(number=(last.number + 1) if last else 1, body=body, edited_by=actor)
    record("portal.guide.edit", actor=actor, obj=version, data={"version": version.number, "chars": len(body)})
    transaction.on_commit(bump)
    return version
