"""What the public may see. Only items that were published — still published, withdrawn (shown as
withdrawn, with the reason) or superseded by a correction — ever appear; anything else is a 404,
whatever the URL."""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from portal.models import PublicCount
from workflow.models import CatalogueCategory, DisclosureItem


def public_items():
    return DisclosureItem.objects.public()


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


def published_in(category):
    """How many public items `category` has (the counts of portal.counts)."""
    return PublicCount.objects.filter(entry__category=category).aggregate(n=Coalesce(Sum("items"), 0))["n"]
