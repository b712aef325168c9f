"""Every response carries the Content-Security-Policy (no inline script, nothing from elsewhere), and
item bodies cannot hotlink images from other sites."""

import pytest

from workflow.content import clean_body, display_html


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/verify/", "/search/?q=%00", "/no-such-page/",
                                  "/api/catalogue/", "/admin/login/"])
def test_every_response_has_the_policy(client, demo, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_only_the_api_docs_allow_inline_styles_and_never_inline_scripts(client, user):
    client.force_login(user("office"))
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy + ";"


def test_the_body_sanitiser_drops_external_images_and_keeps_attachments():
    html = ('<p>见图<img src="https://tracker.example/p.gif" alt="a"><img src="//tracker.example/q.gif">'
            '<img src="/items/12/attachments/3/" alt="图一"></p>')
    for cleaned in (clean_body(html), display_html(html)):
        assert "tracker.example" not in cleaned
        assert 'src="/items/12/attachments/3/"' in cleaned
