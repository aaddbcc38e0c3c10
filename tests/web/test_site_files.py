"""Issue 18, gap 15: /favicon.ico and /robots.txt answer 200 with their types and public cache
headers; robots keeps crawlers out of the staff's, the back office's and the villagers' own pages."""

import urllib.robotparser

from django.test import Client


def test_favicon_is_a_small_real_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert len(response.content) < 4_000
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]


def test_robots_allows_public_pages_and_keeps_private_ones_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "public" in response["Cache-Control"]
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for path in ("/", "/guide/", "/guide/120115-jf-001/", "/promises/120115/", "/satisfaction/"):
        assert robots.can_fetch("*", path), path
    for path in ("/work/", "/admin/", "/track/", "/accounts/login/", "/verify/abc123token/"):
        assert not robots.can_fetch("*", path), path


def test_logged_in_staff_get_them_too(world):
    client = Client()
    client.force_login(world.clerk_a)
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/favicon.ico").status_code == 200
