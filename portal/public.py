"""What the public may see. Only items that were published — still published, withdrawn (shown as
withdrawn, with the reason) or superseded by a correction — ever appear; anything else is a 404,
whatever the URL."""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from portal.models import PublicCount
from workflow.models import CatalogueCategory, DisclosureItem, State


def public_items():
    return DisclosureItem.objects.public()


LATEST_ON_INDEX = 10  # publications the column's front page lists


def listed_items():
    return (
        public_items()
        .select_related("department", "catalogue_entry__category")
        .defer("body")
        .order_by("-published_at", "-id")
    )


def categories_with_counts():
    # The entries' counts kept by the database (portal.counts): a sum over entries, not a count of
    # the items, so the home page costs the same however much has been published.
    return CatalogueCategory.objects.annotate(published=Coalesce(Sum("entries__public_count__items"), 0)).order_by("order", "number")


def public_in_entry(entry):
    """How many public items one catalogue entry has (portal.counts)."""
    return PublicCount.objects.filter(entry=entry).values_list("items", flat=True).first() or 0


def published_in(category):
    """How many public items `category` has (the counts of portal.counts)."""
    return PublicCount.objects.filter(entry__category=category).aggregate(n=Coalesce(Sum("items"), 0))["n"]


def in_force_by_entry(entries, newest):
    """For the catalogue tree: each entry's `newest` items in force (title and date), and how many
    public items it has (the list its "all N items" link opens: withdrawn and corrected ones too,
    the counts of portal.counts). One statement reads a short range of the index
    item_public_by_entry per entry (a UNION ALL of one limited SELECT per entry: the same cost
    however much has been published; an ORM query per entry costs more in Python than the database
    spends on all of them)."""
    ids = [entry.pk for entry in entries]
    table = DisclosureItem._meta.db_table
    latest = {pk: [] for pk in ids}
    if ids:
        sql = " UNION ALL ".join(
            f"SELECT * FROM (SELECT id, title, published_at, catalogue_entry_id FROM {table} WHERE catalogue_entry_id = %s "
            f"AND state = '{State.PUBLISHED}' AND published_at IS NOT NULL ORDER BY published_at DESC, id DESC LIMIT {int(newest)}) AS entry{n}"
            for n in range(len(ids))
        )
        for item in DisclosureItem.objects.raw(sql, ids):
            latest[item.catalogue_entry_id].append(item)
        for items in latest.values():  # a UNION ALL promises no order of its rows
            items.sort(key=lambda item: (item.published_at, item.pk), reverse=True)
    counts = dict(PublicCount.objects.filter(entry_id__in=ids).values_list("entry_id", "items"))
    return {pk: (latest[pk], counts.get(pk, 0)) for pk in ids}
