import pytest
from django.urls import reverse

from audit.models import AuditEvent


def test_the_login_page_is_chinese_by_default_and_english_on_request(client, db):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_a_liaison_logs_in_sees_their_role_and_the_login_is_audited(client, user):
    response = client.post(reverse("login"), {"username": "cwc_liaison", "password": "gongkai-demo"}, follow=True)
    body = response.content.decode()
    assert "财务资产处 · 联络员" in body
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor_username) == ("auth.login", "cwc_liaison")


def test_a_failed_login_is_audited_without_the_password(client, demo):
    client.post(reverse("login"), {"username": "cwc_head", "password": "wrong-password"})
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "auth.login_failed" and '"username":"cwc_head"' in event.canonical
    assert "wrong-password" not in event.canonical


def test_repeated_failures_lock_the_account_for_a_while(client, demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "cwc_head", "password": "nope-nope"})
    response = client.post(reverse("login"), {"username": "cwc_head", "password": "gongkai-demo"})
    assert response.status_code == 200  # the form again, not a redirect: even the right password waits
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_is_audited(client, user):
    client.force_login(user("cwc_head"))
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert AuditEvent.objects.order_by("-seq").first().action == "auth.logout"
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("path", ["/home/"])
def test_pages_need_a_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
