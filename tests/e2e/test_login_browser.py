import pytest

pytestmark = pytest.mark.browser


def test_a_head_logs_in_sees_their_role_switches_to_english_and_logs_out(login):
    page = login("cwc_head")
    assert "财务资产处 · 部门负责人" in page.inner_text("main")
    page.select_option("select[name=language]", "en")
    page.click(".lang-menu button[type=submit]")  # no switch-on-change: the user confirms
    page.wait_for_selector("text=My workspace")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    assert page.is_visible("#id_username")


def test_a_wrong_password_shows_an_error_and_stays_on_the_form(page, demo):
    page.goto("/accounts/login/")
    page.fill("#id_username", "cwc_head")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    assert "请输入一个正确的" in page.inner_text("main")
    assert "/accounts/login/" in page.url
