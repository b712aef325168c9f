"""Shared helpers for the workflow tests: drive an item through the services as the demo personas."""

import datetime

from workflow import services
from workflow.models import CatalogueEntry

PRODUCED = datetime.date(2025, 9, 26)


def entry(code="19"):
    return CatalogueEntry.objects.get(code=code)


def draft(user, *, code="19", department="cwc", title="2025年收支预算总表", body="<p>预算总表见附件。</p>", **extra):
    data = {"title": title, "body": body, "produced_on": PRODUCED, "channels": ["portal", "wechat"], **extra}
    return services.create_item(actor=user(f"{department}_liaison"), catalogue_entry=entry(code), **data)


def to_state(user, item, state, department="cwc"):
    """Move an item along the happy path until it is in `state`."""
    next_step = {
        "draft": lambda: services.submit(item, actor=user(f"{department}_liaison")),
        "returned": lambda: services.submit(item, actor=user(f"{department}_liaison")),
        "head_review": lambda: services.approve(item, actor=user(f"{department}_head")),
        "confidentiality_review": lambda: services.clear(item, actor=user(f"{department}_reviewer")),
        "secrecy_review": lambda: services.clear(item, actor=user("secrecy")),
        "leader_review": lambda: services.approve(item, actor=user("leader")),
        "office_review": lambda: services.publish(item, actor=user("office"), channels=["wechat"]),
        "publishing": lambda: services.complete_publication(item.pk),
    }
    for _ in range(10):
        item.refresh_from_db()
        if item.state == state:
            return item
        next_step[item.state]()
    raise AssertionError(f"never reached {state}")
