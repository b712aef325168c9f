"""The channel vocabulary (公开途径): the one channel table, workflow.Channel. `accepted_codes()` is
what publication, the API and the forms accept; `channel_names()` what records and reports print;
`save_channel` the office's only way to add or change one (audited). Where published items went is
portal's (portal.channels)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from policies.access import is_office
from workflow.models import PORTAL, Channel

__all__ = ["PORTAL", "Channel", "accepted_codes", "channel_names", "save_channel"]


def channel_names():
    return dict(Channel.objects.values_list("code", "name"))


def accepted_codes():
    """Codes a new publication or post may name: the active channels, in the office's order."""
    return list(Channel.objects.filter(active=True).order_by("order", "code").values_list("code", flat=True))


def _state(channel):
    return {"code": channel.code, "name": channel.name, "order": channel.order, "active": int(channel.active)}


def save_channel(channel, *, actor, changed_fields=()):
    """Add or change a channel (the office's admin)."""
    if not is_office(actor):
        raise PermissionDenied(_("Only the disclosure office manages channels."))
    with transaction.atomic():
        created = channel.pk is None
        before = None if created else _state(Channel.objects.get(pk=channel.pk))
        channel.save()
        record(
            "channel.create" if created else "channel.update",
            actor=actor,
            obj=channel,
            # The type channels had when the table was portal's: one object, one trail.
            object_type="portal.channel",
            before=before,
            after=_state(channel),
            data={"code": channel.code, "fields": ",".join(sorted(changed_fields))},
        )
    return channel
