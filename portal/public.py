"""What the public may see. Only items that were published — still published, withdrawn (shown as
withdrawn, with the reason) or superseded by a correction — ever appear; anything else is a 404,
whatever the URL."""

from django.db.models import Count, Q

from workflow.models import PUBLIC_STATES, CatalogueCategory, DisclosureItem


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
    return CatalogueCategory.objects.annotate(
        published=Count(
            "entries__items",
            filter=Q(entries__items__state__in=PUBLIC_STATES, entries__items__published_at__isnull=False),
        )
    ).order_by("order", "number")
