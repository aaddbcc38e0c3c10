"""The page frame: home, language and elderly mode, error pages, sizes."""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse


def test_home_is_chinese_by_default_and_links_only_to_working_pages(client, db):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    assert "找代办员" in body
    for href in re.findall(r'href="(/[^"]*)"', body):
        if href.startswith("/static/"):
            continue
        assert client.get(href).status_code == 200, href


def test_home_page_is_small(client, db):
    body = client.get("/").content
    assert len(body) < 6_000, len(body)


def test_the_language_switch_works_without_javascript(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert "Find my assistant" in response.content.decode()


def test_elderly_mode_switch_sets_a_cookie_and_a_body_class(client, db):
    response = client.post(reverse("web:set_elderly_mode"), {"on": "1", "next": "/find-assistant/"})
    assert response.status_code == 302 and response["Location"] == "/find-assistant/"
    body = client.get("/").content.decode()
    assert '<body class="elderly">' in body
    client.post(reverse("web:set_elderly_mode"), {"on": "0", "next": "/"})
    assert '<body class="">' in client.get("/").content.decode()


def test_elderly_mode_refuses_to_redirect_off_site(client, db):
    response = client.post(reverse("web:set_elderly_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_elderly_stylesheet_meets_the_miit_numbers():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/cunban.css")).read_text(encoding="utf-8")
    assert "font:18px/1.6" in css  # body >= 18px in standard mode
    assert "body.elderly{font-size:24px;line-height:1.7}" in css  # 18pt = 24px, spacing >= 1.3
    assert "min-height:60px" in css  # tap targets in 长辈版
    assert len(css.encode()) < 20_000


def test_read_aloud_is_progressive_enhancement(client, db):
    body = client.get("/").content.decode()
    assert re.search(r'<button type="button" class="readaloud" hidden', body)


def test_404_is_friendly_chinese_with_a_way_back(client, db):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'href="/"' in body
    assert "找不到" in body or "没有找到" in body


def test_403_page(rf, db):
    from django.contrib.sessions.middleware import SessionMiddleware

    from portal.web.views import permission_denied

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(request)
    assert response.status_code == 403
    assert 'href="/"' in response.content.decode()


@override_settings(DEBUG=False)
def test_500_page_renders_without_a_request_context():
    from portal.web.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "返回首页" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/find-assistant/", "/accounts/login/"])
def test_every_public_page_has_the_frame(client, db, url):
    body = client.get(url).content.decode()
    assert 'name="viewport"' in body
    assert reverse("web:set_elderly_mode") in body
    assert reverse("set_language") in body


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client, db):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-CN">' in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
