"""Disclosure items made the way users make them: through workflow.services, by the demo school's
personas (liaison drafts and submits, head approves, reviewer clears, office publishes)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model

from workflow import services
from workflow.models import CatalogueEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    """A moment on `day` (Beijing time)."""
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def persona(username):
    return get_user_model().objects.get(username=username)


def draft(entry_code, *, title, body="<p>正文</p>", produced_on, channels=(), when=None):
    entry = CatalogueEntry.objects.select_related("department").get(code=entry_code)
    code = entry.department.code
    with time_machine.travel(when or at(produced_on), tick=False):
        return services.create_item(
            actor=persona(f"{code}_liaison"), catalogue_entry=entry, title=title, body=body,
            produced_on=produced_on, channels=list(channels),
        )


def review(item, *, when):
    """Submit, approve and clear: the item waits for the office."""
    code = item.department.code
    with time_machine.travel(when, tick=False):
        item = services.submit(item, actor=persona(f"{code}_liaison"))
        item = services.approve(item, actor=persona(f"{code}_head"))
        item = services.clear(item, actor=persona(f"{code}_reviewer"))
    return item


def publish(item, *, when, channels=None):
    with time_machine.travel(when, tick=False):
        item = services.publish(item, actor=persona("office"), channels=channels)
        # The publication job (Celery; run on commit). Called here too so that tests inside a
        # transaction see it; it is idempotent.
        services.complete_publication(item.pk)
    item.refresh_from_db()
    return item


def published(entry_code, *, title, body="<p>正文</p>", produced_on, published_on=None, channels=()):
    """A published item: produced on `produced_on`, published on `published_on` (default: the day
    after it was produced)."""
    published_on = published_on or produced_on + datetime.timedelta(days=1)
    item = draft(entry_code, title=title, body=body, produced_on=produced_on, channels=channels)
    item = review(item, when=at(published_on, 9))
    return publish(item, when=at(published_on, 10))


def withdraw(item, *, reason, when):
    with time_machine.travel(when, tick=False):
        item = services.withdraw(item, actor=persona("office"), comment=reason)
    item.refresh_from_db()
    return item


def correct(item, *, title, body, when):
    """A correction of a published item, through the whole review again, published at `when`."""
    with time_machine.travel(when - datetime.timedelta(hours=2), tick=False):
        correction = services.correct(item, actor=persona(f"{item.department.code}_liaison"), title=title, body=body)
    correction = review(correction, when=when - datetime.timedelta(hours=1))
    return publish(correction, when=when)
