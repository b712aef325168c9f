"""The one way pages and the API fetch an item for a user: 404 if they may not see it (so nobody
learns that it exists), 403 if they may see it but not do what they asked. And the one way an
attachment is sent (staff pages, the API, the public site)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import StateConflict
from core.files import download
from policies.access import can
from workflow import rules
from workflow.models import DisclosureItem


def can_view(user, item):
    return can(user, "view_items", item.department)


def item_for(user, pk, *, to="view"):
    """The item `pk` if `user` may see it, else Http404. With `to` an action name ("edit",
    "approve", …), also PermissionDenied when the user holds no role for that action on the item.
    (Whether the state allows it now, and separation of duties, are the service's questions.)"""
    try:
        item = DisclosureItem.objects.select_related("department", "catalogue_entry__category", "created_by").get(
            pk=int(pk)
        )
    except (DisclosureItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item")
    if not can_view(user, item):
        raise Http404("No such item")
    if to != "view":
        try:
            rules.check(item, user, to, separation=False)
        except StateConflict:
            pass
    return item


def attachment_response(attachment):
    """The file as a download that no browser renders or sniffs (whatever its type says)."""
    return download(attachment.file.open("rb"), filename=attachment.original_name,
                    content_type=attachment.content_type)


__all__ = ["item_for", "can_view", "attachment_response", "PermissionDenied"]
