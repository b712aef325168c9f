"""Bump the public pages' cache version when something the public sees changes; keep the search
index of public items current."""

from celery.signals import worker_ready
from django.db.models.signals import post_save

from policies.models import Department
from portal import cache, search
from portal.models import ChannelPost
from records.models import Record
from workflow.models import CatalogueCategory, CatalogueEntry, Channel, DisclosureItem, State


def _item_saved(sender, instance, **kwargs):
    # Drafts and items under review are never shown: their saves leave the cache and the search
    # index alone. A public item is (re-)indexed in the transaction that publishes it.
    if instance.is_public:
        search.index_item(instance)
        # Its own page, and the pages of the documents it interprets (they link to it once public).
        pages = [instance.pk, *instance.interprets.values_list("pk", flat=True)]
        taken_down = [instance.pk] if instance.state in (State.WITHDRAWN, State.SUPERSEDED) else []
        cache.bump(taken_down=taken_down, item_ids=pages)


def _post_saved(sender, instance, **kwargs):
    cache.bump(taken_down=[instance.item_id] if instance.removed_at is not None else [], item_ids=[instance.item_id])


def _record_saved(sender, instance, **kwargs):
    cache.bump(item_ids=[instance.item_id])


def _always(sender, **kwargs):
    cache.bump()


def _warm_when_a_worker_starts(sender=None, **kwargs):
    # After an upgrade no page of the new code is in the cache (its keys carry the code's identity,
    # portal.cache.code_identity): the worker that starts renders the menu pages at once, not the
    # beat one interval later. A worker whose cache is its own memory does nothing (keep_warm).
    from portal.tasks import keep_pages_warm

    keep_pages_warm.delay()


def connect():
    worker_ready.connect(_warm_when_a_worker_starts, dispatch_uid="portal-warm-when-a-worker-starts")
    post_save.connect(_item_saved, sender=DisclosureItem, dispatch_uid="portal-item-saved")
    post_save.connect(_post_saved, sender=ChannelPost, dispatch_uid="portal-post-saved")
    post_save.connect(_record_saved, sender=Record, dispatch_uid="portal-record-saved")
    # The public pages name departments (who issued an item, the filters) and channels (where else
    # an item went): a rename shows on them as a publication does.
    for model in (CatalogueCategory, CatalogueEntry, Department, Channel):
        post_save.connect(_always, sender=model, dispatch_uid=f"portal-bump-{model._meta.label_lower}")
