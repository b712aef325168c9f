"""Where published items went, read side: used by the item page, the register and the dashboard.

An item's channels are: the disclosure column (automatic for every published item, linked to its
page), every post the office recorded, and any channel named at publication that has no recorded
post yet (counted once, without a link). Counting: each post counts once on its channel, so an item
on five channels counts once on each of the five, and once as an item.

The channels themselves (the one vocabulary) are workflow.channels."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from portal.models import ChannelPost
from workflow.channels import PORTAL, Channel
from workflow.models import DisclosureItem


@dataclass
class Placement:
    code: str
    name: str
    url: str
    reference: str
    posted_at: datetime | None
    recorded: bool  # False for a channel named at publication with no post recorded yet


def _order():
    return dict(Channel.objects.values_list("code", "order"))


def item_url(item_id):
    return settings.SITE_URL + reverse("portal:item", args=[item_id])


def _item_urls():
    """item_url for many items: the URL resolved once, the id put in (reverse() per item was a
    sixth of the register's time)."""
    marker = 987654321
    before, after = item_url(marker).split(str(marker))
    return lambda item_id: f"{before}{item_id}{after}"


def placements_for(items, *, among=None, channels=None):
    """{item id: [Placement, …]} for published items, in channel order. `among`, a query of the
    same items, reads their posts with a subquery instead of one parameter per item; `channels`,
    every Channel when the caller has them already."""
    items = [item for item in items if item.published_at is not None]
    channels = {c.code: c for c in (Channel.objects.all() if channels is None else channels)}
    by_id = {c.pk: c for c in channels.values()}
    order = {code: c.order for code, c in channels.items()}
    posts = defaultdict(list)
    wanted = among.values("pk") if among is not None else [i.pk for i in items]
    # Tuples, not model instances: a year's register reads tens of thousands of posts.
    fields = ("item_id", "channel_id", "url", "reference", "posted_at")
    for item_id, channel_id, url, reference, posted_at in ChannelPost.objects.current().filter(item__in=wanted).values_list(*fields):
        channel = by_id[channel_id]
        posts[item_id].append(Placement(channel.code, channel.name, url, reference, posted_at, True))
    result, url_of = {}, _item_urls()
    portal = channels.get(PORTAL)
    for item in items:
        rows = [Placement(PORTAL, portal.name if portal else PORTAL, url_of(item.pk), "", item.published_at, True)]
        recorded_codes = set()
        for placement in posts[item.pk]:
            recorded_codes.add(placement.code)
            rows.append(placement)
        for code in item.channels or []:
            if code == PORTAL or code in recorded_codes:
                continue
            recorded_codes.add(code)
            name = channels[code].name if code in channels else code
            rows.append(Placement(code, name, "", "", None, False))
        rows.sort(key=lambda p: (order.get(p.code, 10_000), p.posted_at is None, p.posted_at or item.published_at))
        result[item.pk] = rows
    return result


def tally(placements_by_item):
    """(per-channel counts as [(code, name, count)] in channel order, number of items)."""
    counts, names = Counter(), {}
    for rows in placements_by_item.values():
        for placement in rows:
            counts[placement.code] += 1
            names[placement.code] = placement.name
    order = _order()
    ordered = sorted(counts, key=lambda code: (order.get(code, 10_000), code))
    return [(code, names[code], counts[code]) for code in ordered], len(placements_by_item)


@dataclass
class ChannelCount:
    code: str
    name: str
    online: bool
    count: int


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def period_counts(date_from, date_to, *, department=None):
    """Publications per channel in a period (both dates inclusive), each counted on its own date:
    the disclosure column by the items' publication dates (a correction is counted as a correction,
    not as another publication), every other channel by its posts' dates (not the item's), and a
    channel named at publication with no post recorded for that item once, on the item's
    publication date. [ChannelCount] in channel order, channels with nothing left out. With
    `department`, only that department's items."""
    start, end = _midnight(date_from), _midnight(date_to + timedelta(days=1))
    published = DisclosureItem.objects.public().filter(published_at__gte=start, published_at__lt=end)
    posts = ChannelPost.objects.current()
    if department is not None:
        published, posts = published.filter(department=department), posts.filter(item__department=department)
    counts = Counter()
    counts[PORTAL] = published.filter(supersedes__isnull=True).count()
    posts = (
        posts.filter(posted_at__gte=start, posted_at__lt=end, item__published_at__isnull=False)
        .values_list("channel__code")
        .annotate(n=Count("id"))
    )
    counts.update(dict(posts))
    # Channels named at publication with no post recorded for the item: counted per distinct list
    # of named channels (a handful of combinations), not item by item.
    named = Counter()
    for codes, n in published.order_by().values_list("channels").annotate(n=Count("id")):
        named[tuple(sorted(set(codes or [])))] += n
    recorded = Counter()
    for codes, code, n in (ChannelPost.objects.current().filter(item__in=published.values("pk")).order_by()
                           .values_list("item__channels", "channel__code").annotate(n=Count("item_id", distinct=True))):
        recorded[tuple(sorted(set(codes or []))), code] += n
    for codes, n in named.items():
        for code in codes:
            if code != PORTAL:
                counts[code] += n - recorded[codes, code]
    channels = {c.code: c for c in Channel.objects.all()}
    ordered = sorted((code for code in counts if counts[code]), key=lambda code: (channels[code].order if code in channels else 10_000, code))
    return [
        ChannelCount(code, channels[code].name if code in channels else code, channels[code].online if code in channels else False, counts[code])
        for code in ordered
    ]
