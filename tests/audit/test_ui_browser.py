"""An auditor in a real browser: from the workspace to the trail, an event's proof, and the export."""

import pytest

pytestmark = pytest.mark.browser


def test_an_auditor_finds_an_event_sees_it_verified_and_downloads_the_bundle(login):
    page = login("auditor")
    page.click("text=审计记录")
    page.wait_for_url("**/audit/")
    page.select_option("#id_actor", "auditor")  # people and actions are chosen by name
    page.select_option("#id_action", label="登录")
    page.click("form.filters button[type=submit]")
    assert "登录" in page.inner_text("table.events tbody tr >> nth=0")
    page.click("table.events tbody tr >> nth=0 >> a >> nth=0")
    page.wait_for_url("**/audit/events/*/")
    assert "已验证" in page.inner_text("main")
    page.click("text=全部事件")
    page.click("#export-bundles")
    page.wait_for_url("**/audit/exports/")
    assert "还没有导出过" in page.inner_text("main")
    page.click("#export-bundle")  # built in the background (here in-process): offered on this page
    assert "正在准备导出包" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("#exports a[download]")
    assert download.value.suggested_filename.startswith("gongkai-audit-")
