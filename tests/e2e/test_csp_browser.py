"""Every page type sends its Content-Security-Policy and loads in Chromium with no CSP violation in
the console (no inline script or style, nothing from another origin): the public site, the staff
pages of each wing, the admin and the API docs."""

import datetime

import pytest

from tests.portal import factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date

PUBLIC = ["/", "/category/3/", "/search/?q=学费", "/verify/", "/guide/", "/catalogue/", "/annual-reports/",
          "/apply/", "/apply/status/", "/accounts/login/", "/no-such-page/", "/search/?q=%00"]
OFFICE = ["/home/", "/workflow/", "/workflow/items/", "/reports/", "/reports/register/",
          "/reports/annual/", "/reports/catalogue/", "/foi/", "/foi/new/", "/office/channels/", "/office/health/",
          "/audit/", "/admin/", "/admin/policies/department/", "/admin/policies/department/1/change/",
          "/admin/auth/user/", "/api/docs/"]


def _visit(page, path, violations):
    response = page.goto(path)
    page.wait_for_load_state("load")
    assert response is not None
    expected = {"/no-such-page/": 404, "/search/?q=%00": 400}.get(path, 200)
    assert response.status == expected, (path, response.status)
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "default-src 'self'" in policy, (path, policy)
    return response


@pytest.fixture
def violations(page):
    found = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or "Refused to" in text:
            found.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return found


def test_every_page_type_loads_without_a_csp_violation(page, login, violations, demo):
    item = factory.published("21", title="学费收费标准", body='<p>学费见下。<img src="https://tracker.example/p.gif"></p>',
                             produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    for path in PUBLIC + [f"/items/{item.pk}/"]:
        _visit(page, path, violations)
    assert "tracker.example" not in page.content()
    login("office")
    for path in OFFICE + [f"/workflow/items/{item.pk}/", f"/admin/workflow/catalogueentry/"]:
        _visit(page, path, violations)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)  # the docs ran their (external) script
    page.context.clear_cookies()
    login("cwc_liaison")
    for path in ["/workflow/items/new/", "/workflow/"]:
        _visit(page, path, violations)
    assert violations == []
