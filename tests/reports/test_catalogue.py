"""The office's catalogue pages: items marked 不适用 with a reason (never deleted), the school's own
categories and items, responsible department and frequency; every change an audit event."""

import pytest

from audit.models import AuditEvent
from workflow.models import CatalogueCategory, CatalogueEntry


def entry_form(entry, **changes):
    data = {
        "code": entry.code, "category": entry.category_id, "title": entry.title, "department": entry.department_id,
        "frequency": entry.frequency, "order": entry.order, "active": "on",
    }
    if entry.applicable:
        data["applicable"] = "on"
    data["not_applicable_reason"] = entry.not_applicable_reason
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_office_sees_the_catalogue_with_applicability(client, user):
    client.force_login(user("office"))
    page = client.get("/reports/catalogue/").content.decode()
    assert "学校章程及制定的各项规章制度" in page
    assert "本校为高职院校，不开展研究生招生" in page


def test_marking_not_applicable_needs_a_reason_and_is_audited(client, user):
    client.force_login(user("office"))
    entry = CatalogueEntry.objects.get(code="35")
    response = client.post(f"/reports/catalogue/entries/{entry.pk}/", entry_form(entry, applicable=None, not_applicable_reason=""))
    assert response.status_code == 400
    assert "请填写不适用的理由" in response.content.decode()
    entry.refresh_from_db()
    assert entry.applicable
    before = AuditEvent.objects.count()
    response = client.post(
        f"/reports/catalogue/entries/{entry.pk}/", entry_form(entry, applicable=None, not_applicable_reason="本校未单独开展艺术教育")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.applicable, entry.not_applicable_reason) == (False, "本校未单独开展艺术教育")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_username) == ("catalogue.entry.update", "office")


def test_office_adds_its_own_category_and_item(client, user):
    client.force_login(user("office"))
    response = client.post("/reports/catalogue/categories/new/", {"number": 11, "name": "党务公开", "order": 11})
    assert response.status_code == 302
    category = CatalogueCategory.objects.get(number=11)
    assert not category.is_moe
    xsc = user("xsc_head").memberships.first().department
    response = client.post("/reports/catalogue/entries/new/", {
        "code": "X1", "category": category.pk, "title": "学生资助年度报告", "department": xsc.pk,
        "frequency": "annual", "applicable": "on", "order": 1, "active": "on",
    })
    assert response.status_code == 302
    entry = CatalogueEntry.objects.get(code="X1")
    assert (entry.department.code, entry.frequency) == ("xsc", "annual")
    actions = list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["catalogue.entry.create", "catalogue.category.create"]
    assert "党务公开" in client.get("/").content.decode()  # a new column on the public site


@pytest.mark.parametrize("username", ["leader", "cwc_head", "auditor"])
def test_only_the_office_edits_the_catalogue(client, user, username):
    client.force_login(user(username))
    entry = CatalogueEntry.objects.get(code="35")
    assert client.get("/reports/catalogue/").status_code == 403
    assert client.post(f"/reports/catalogue/entries/{entry.pk}/", entry_form(entry, title="x")).status_code == 403
    entry.refresh_from_db()
    assert entry.title != "x"
