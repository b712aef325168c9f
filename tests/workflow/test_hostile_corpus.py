"""A hostile-input corpus through every door — the API, the HTML form, the public search and the
admin — with each outcome asserted: refused with a 400 that names the field (and nothing stored),
or accepted and stored exactly as its NFC form. Never a server error."""

import unicodedata

import pytest

from audit.models import AuditEvent
from policies.models import Department
from tests.workflow.helpers import entry
from workflow.models import DisclosureItem

pytestmark = pytest.mark.django_db

REFUSED = {
    "nul": "标题\x00尾",
    "bell": "标题\x07",
    "escape": "\x1b[31m红色标题",
    "c1": "标题\x9b",
    "delete": "标题\x7f",
    "lone surrogate": "标题\ud83d",
    "replacement": "标题\ufffd",
    "rlo": "\u202e公示gpj.exe",
    "isolate": "公示\u2066隔离\u2069",
    "newline in a title": "第一行\n第二行",
}
ACCEPTED = {
    "ext-b": "张𠀀与𪚥村",
    "ext-c to g": "\U0002a700\U0002b740\U0002b820\U0002ebe0\U00030000",
    "decomposed": "Cafe\u0301 公示",
    "full-width": "ＡＢＣ１２３公示",
    "html": "<b>不是标签</b> & \"引号\"",
    "sql": "'; DROP TABLE workflow_disclosureitem; --",
    "emoji": "公示📢",
    "zero-width joiner": "👩\u200d🎓 学生",
}


def _count():
    return DisclosureItem.objects.count(), AuditEvent.objects.count()


def _post_api(api, title):
    import json

    body = {"catalogue_entry": entry("19").pk, "title": title, "body": "<p>正文</p>", "produced_on": "2025-09-26"}
    # Written by hand: a lone surrogate cannot be encoded by a JSON encoder that writes UTF-8.
    return api("cwc_liaison").post("/api/disclosures/", data=json.dumps(body).encode(), content_type="application/json")


@pytest.mark.parametrize("name", REFUSED)
def test_refused_through_the_api(api, name):
    before = _count()
    response = _post_api(api, REFUSED[name])
    assert response.status_code == 400 and "title" in response.json(), response.content[:300]
    assert _count() == before


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_through_the_api_and_stored_as_nfc(api, name):
    response = _post_api(api, ACCEPTED[name])
    assert response.status_code == 201, response.content[:300]
    stored = DisclosureItem.objects.get(pk=response.json()["id"]).title
    assert stored == unicodedata.normalize("NFC", ACCEPTED[name].strip())


@pytest.mark.parametrize("name", [n for n in REFUSED if n != "lone surrogate"])
def test_refused_through_the_html_form(client, user, name):
    client.force_login(user("cwc_liaison"))
    before = _count()
    response = client.post("/workflow/items/new/", {"catalogue_entry": entry("19").pk, "title": REFUSED[name],
                                                    "body": "<p>正文</p>", "produced_on": "2025-09-26"})
    # The boundary's 400 page, or the form again with the field's error; nothing stored either way.
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "不允许" in page or "U+FFFD" in page  # the policy's own message, in Chinese
    assert _count() == before


@pytest.mark.parametrize("text", [*REFUSED.values(), *ACCEPTED.values(), "字" * 5000])
def test_public_search_never_fails(client, demo, text):
    from urllib.parse import quote

    response = client.get("/search/?q=" + quote(text, errors="surrogatepass"))
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("name", ["nul", "escape", "rlo", "newline in a title"])
def test_refused_through_the_admin(client, user, name):
    client.force_login(user("office"))
    department = Department.objects.get(code="cwc")
    url = f"/admin/policies/department/{department.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, (list, dict))}
    data.update({"name": "财务处" + REFUSED[name], "_save": "Save"})
    response = client.post(url, data)
    assert response.status_code in (200, 400)  # the form again with its error, or the boundary's 400
    department.refresh_from_db()
    assert department.name == "财务资产处"
