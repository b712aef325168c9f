"""Each page asks the database the same number of questions whatever the amount of data: the
statements a page runs are counted with a small school, then again after many more items, steps
and audit events were added; the counts must be equal. (Their run time is measured in bench/.)"""

import datetime

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import services as audit
from portal import cache as portal_cache
from portal import search
from tests.portal import factory

D = datetime.date
STATES = ["published", "published", "published", "draft", "head_review", "confidentiality_review", "office_review", "returned", "refused", "withdrawn"]


def grow(count):
    """`count` more items across departments, catalogue entries and states (public ones indexed
    for search, with their history), and as many audit events."""
    from django.contrib.auth import get_user_model

    from workflow.models import CatalogueEntry, DisclosureItem, Step

    by_department = {}
    for entry in CatalogueEntry.objects.filter(applicable=True).select_related("department").order_by("code"):
        by_department.setdefault(entry.department_id, []).append(entry)
    departments = list(by_department.values())
    users = {u.username: u for u in get_user_model().objects.all()}
    now = timezone.now()
    items = []
    for n in range(count):
        # Every department has an item in every state once count reaches departments × states.
        mine = departments[n % len(departments)]
        entry, state = mine[n % len(mine)], STATES[(n // len(departments)) % len(STATES)]
        produced = D(2025, 9, 1) + datetime.timedelta(days=n % 50)
        public = state in ("published", "withdrawn")
        items.append(DisclosureItem(
            catalogue_entry=entry, department=entry.department, title=f"国家奖学金评审结果公示 第{n}号", body="<p>奖学金评审结果。</p>",
            produced_on=produced, due_on=produced + datetime.timedelta(days=28), channels=["portal"], state=state, version=1,
            created_by=users[f"{entry.department.code}_liaison"], published_at=now - datetime.timedelta(hours=n) if public else None,
        ))
    items = DisclosureItem.objects.bulk_create(items)
    Step.objects.bulk_create(Step(item=item, version=1, actor=item.created_by, action="submit") for item in items)
    for item in items:
        if item.published_at:
            search.index_item(item)
        audit.record("test.grow", actor=None, obj=item, department=item.department.code)


STAFF_PAGES = {
    "office": ["/home/", "/workflow/", "/api/tasks/", "/workflow/items/", "/reports/", "/reports/?page=2", "/reports/overview/",
               "/reports/register/", "/audit/", "/api/disclosures/"],
    "cwc_head": ["/home/", "/workflow/", "/api/tasks/", "/workflow/items/"],
    "cwc_liaison": ["/home/", "/workflow/"],
    "leader": ["/home/", "/reports/", "/reports/overview/"],
    "auditor": ["/audit/", "/audit/?action=test.grow"],
}
PUBLIC_PAGES = ["/", "/category/{category}/", "/search/?q=奖学金", "/search/?q=奖学金&year=2025", "/items/{item}/", "/feed/",
                "/category/{category}/?entry={entry}", "/catalogue/", "/annual-reports/", "/guide/"]


def statements(client, path):
    django_cache.clear()
    portal_cache.forget_version()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries.captured_queries)


def all_counts(client, user, first):
    values = {"category": first.catalogue_entry.category.number, "item": first.pk, "entry": first.catalogue_entry.code}
    counts = {}
    for username, paths in STAFF_PAGES.items():
        client.force_login(user(username))
        for path in paths:
            counts[username, path] = statements(client, path)
        client.logout()
    for path in PUBLIC_PAGES:
        counts["public", path.format(**values)] = statements(client, path.format(**values))
    return counts


def test_pages_run_the_same_statements_with_ten_times_the_data(client, user, demo):
    first = factory.published("21", title="2025年国家奖学金评审办法", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    grow(len(STATES) * 8)  # every state in each of the demo school's departments
    all_counts(client, user, first)  # warms the per-process caches (content types) once
    small = all_counts(client, user, first)
    grow(len(STATES) * 8 * 9)
    large = all_counts(client, user, first)
    assert {page: (small[page], n) for page, n in large.items() if n != small[page]} == {}
