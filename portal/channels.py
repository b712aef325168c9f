"""Where published items went, read side: used by the item page, the register and the dashboard.

An item's channels are: the disclosure column (automatic for every published item, linked to its
page), every post the office recorded, and any channel named at publication that has no recorded
post yet (counted once, without a link). Counting: each post counts once on its channel, so an item
on five channels counts once on each of the five, and once as an item."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from portal.models import DEFAULT_CHANNELS, PORTAL, Channel, ChannelPost


@dataclass
class Placement:
    code: str
    name: str
    url: str
    reference: str
    posted_at: datetime | None
    recorded: bool  # False for a channel named at publication with no post recorded yet


def channel_names():
    return dict(Channel.objects.values_list("code", "name"))


def item_url(item_id):
    return settings.SITE_URL + reverse("portal:item", args=[item_id])


def placements_for(items):
    """{item id: [Placement, …]} for published items, in channel order."""
    items = [item for item in items if item.published_at is not None]
    channels = {c.code: c for c in Channel.objects.all()}
    order = {code: i * 10 for i, code in enumerate(DEFAULT_CHANNELS, start=1)}
    order.update({code: c.order for code, c in channels.items()})
    posts = defaultdict(list)
    for post in ChannelPost.objects.current().filter(item__in=[i.pk for i in items]).select_related("channel"):
        posts[post.item_id].append(post)
    result = {}
    for item in items:
        portal = channels.get(PORTAL)
        rows = [Placement(PORTAL, portal.name if portal else DEFAULT_CHANNELS[PORTAL], item_url(item.pk), "", item.published_at, True)]
        recorded_codes = set()
        for post in posts[item.pk]:
            recorded_codes.add(post.channel.code)
            rows.append(Placement(post.channel.code, post.channel.name, post.url, post.reference, post.posted_at, True))
        for code in item.channels or []:
            if code == PORTAL or code in recorded_codes:
                continue
            recorded_codes.add(code)
            name = channels[code].name if code in channels else DEFAULT_CHANNELS.get(code, code)
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
    order = {code: i * 10 for i, code in enumerate(DEFAULT_CHANNELS, start=1)}
    order.update(dict(Channel.objects.values_list("code", "order")))
    ordered = sorted(counts, key=lambda code: (order.get(code, 10_000), code))
    return [(code, names[code], counts[code]) for code in ordered], len(placements_by_item)
