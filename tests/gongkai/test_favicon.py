"""Every browser asks for /favicon.ico: the site answers with its icon (not a 404), and every page
links the icon."""

import urllib.request

import pytest


def test_favicon_ico_leads_to_the_sites_icon(live_server):
    with urllib.request.urlopen(f"{live_server.url}/favicon.ico") as response:  # follows the redirect
        assert response.status == 200 and response.url.endswith(".svg")
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert response.read().startswith(b"<svg")


@pytest.mark.parametrize("path", ["/", "/apply/", "/accounts/login/"])
def test_pages_link_the_icon(client, demo, path):
    page = client.get(path).content.decode()
    assert '<link rel="icon" href="/static/gongkai/favicon.svg" type="image/svg+xml">' in page
