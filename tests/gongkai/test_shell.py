"""The two layouts (staff shell, public site) and our own error pages, as users see them."""

from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path

from gongkai import urls as project_urls


def text(response):
    return response.content.decode()


def test_every_page_has_a_skip_link_and_a_language_menu_with_a_button(client, demo):
    page = text(client.get("/"))
    assert 'href="#main"' in page and 'id="main"' in page
    assert "跳到正文" in page
    assert "onchange" not in page  # choosing a language never submits by itself
    assert ">简体中文</option>" in page and ">English</option>" in page  # each in its own name
    assert "切换语言</button>" in page


def menu(response):
    page = text(response)
    start = page.index('aria-label="主菜单"')
    return page[start : page.index("</nav>", start)]


def test_staff_menu_follows_the_roles(client, user):
    client.force_login(user("cwc_liaison"))
    liaison = menu(client.get("/home/"))
    # A liaison answers the requests for information assigned to the department (/foi/ shows only those).
    assert 'href="/workflow/items/"' in liaison and 'href="/audit/"' not in liaison and 'href="/foi/"' in liaison
    client.force_login(user("cwc_reviewer"))
    assert 'href="/foi/"' not in menu(client.get("/home/"))
    client.force_login(user("auditor"))
    auditor = menu(client.get("/home/"))
    assert 'href="/audit/"' in auditor and 'href="/workflow/items/"' not in auditor
    client.force_login(user("office"))
    office = menu(client.get("/home/"))
    for url in ("/workflow/", "/reports/", "/foi/", "/office/channels/", "/audit/"):
        assert f'href="{url}"' in office


def test_a_staff_page_the_user_may_not_see_says_no_access_with_a_way_back(client, user):
    client.force_login(user("cwc_liaison"))
    response = client.get("/workflow/items/999999/")
    assert response.status_code == 404
    page = text(response)
    assert "无权访问或页面不存在" in page and "相应信息可能从未公开" not in page
    assert 'href="/home/"' in page


def test_the_public_404_keeps_the_public_navigation(client, demo):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert "页面不存在" in page and 'href="/verify/"' in page and 'href="/catalogue/"' in page


def _forbidden_english(request):
    raise PermissionDenied("You have no rights to access this page")


def _forbidden_chinese(request):
    from django.utils.translation import gettext as _

    raise PermissionDenied(_("You may not draft items."))


urlpatterns = project_urls.urlpatterns + [
    path("workflow/_test/forbidden-en/", _forbidden_english),
    path("workflow/_test/forbidden-zh/", _forbidden_chinese),
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@override_settings(ROOT_URLCONF="tests.gongkai.test_shell")
def test_403_is_ours_in_chinese_with_a_way_back_never_a_librarys_english(client, user):
    client.force_login(user("leader"))
    response = client.get("/workflow/_test/forbidden-en/", HTTP_REFERER="http://testserver/reports/")
    assert response.status_code == 403
    page = text(response)
    assert "无权访问" in page and "no rights" not in page and "LOG IN AS ANOTHER USER" not in page.upper()
    assert 'href="http://testserver/reports/"' in page  # back where the user came from
    chinese = text(client.get("/workflow/_test/forbidden-zh/"))
    assert "无权访问" in chinese and "起草" in chinese  # our own reasons are shown, in Chinese
