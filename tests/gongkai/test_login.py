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


def test_repeated_failures_lock_the_pair_but_not_the_victim_elsewhere(client, demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        client.post(reverse("login"), {"username": "cwc_head", "password": "nope-nope"}, **attacker)
    response = client.post(reverse("login"), {"username": "cwc_head", "password": "gongkai-demo"}, **attacker)
    assert response.status_code == 429  # even the right password waits, from this address
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # the victim, from their own address, logs in; another user at the attacker's address too
    from django.test import Client

    victim = Client()
    response = victim.post(reverse("login"), {"username": "cwc_head", "password": "gongkai-demo"},
                           REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and "_auth_user_id" in victim.session
    neighbour = Client()
    response = neighbour.post(reverse("login"), {"username": "cwc_liaison", "password": "gongkai-demo"}, **attacker)
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(client, demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(5):
        client.post("/admin/login/", {"username": "office", "password": "wrong", "next": "/admin/"})
    response = client.post("/admin/login/", {"username": "office", "password": "gongkai-demo", "next": "/admin/"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_failed_logins_cannot_flood_the_audit_log(client, demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_AUDIT_FAILURES_PER_ADDRESS = 10
    before = AuditEvent.objects.filter(action="auth.login_failed").count()
    for _ in range(30):
        client.post(reverse("login"), {"username": "cwc_head", "password": "nope-nope"})
    for n in range(30):  # a new username each time: the per-address budget stops these
        client.post(reverse("login"), {"username": f"nobody{n}", "password": "nope-nope"})
    audited = AuditEvent.objects.filter(action="auth.login_failed").count() - before
    assert 3 <= audited <= 3 + 10 + 1
    assert AuditEvent.objects.filter(action="auth.login_failed", canonical__contains='"locked_out":1').exists()


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(client, demo, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    # Not behind a trusted proxy: a client cannot escape the lockout by inventing addresses.
    for n in range(4):
        client.post(reverse("login"), {"username": "cwc_head", "password": "nope"},
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = client.post(reverse("login"), {"username": "cwc_head", "password": "gongkai-demo"},
                           HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
    # Behind the configured proxy, the forwarded address is the client's: a different one is not locked.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.post(reverse("login"), {"username": "cwc_head", "password": "gongkai-demo"},
                           HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 302


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
