"""The one way pages and the API fetch an item for a user: 404 if they may not see it (so nobody
learns that it exists), 403 if they may see it but not do what they asked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from workflow import rules
from workflow.exceptions import StateConflict
from workflow.models import DisclosureItem


def can_view(user, item):
    # policies.access.can, with the per-request permission cache of workflow.rules
    return rules._can(user, "view_items", item.department)


def item_for(user, pk, *, to="view"):
    """The item `pk` if `user` may see it, else Http404. With `to` an action name ("edit",
    "approve", …), also PermissionDenied when the user holds no role for that action on the item.
    (Whether the state allows it now is the service's question: StateConflict, 409.)"""
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
            rules.check(item, user, to)
        except StateConflict:
            pass
    return item


__all__ = ["item_for", "can_view", "PermissionDenied"]
