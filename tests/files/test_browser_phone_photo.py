"""phone-photo.js in the system Chromium: a 6 MB phone photo leaves the browser at a few hundred
KB, the form is sent with a progress line, a failed send is retried with the same photo, and
without JavaScript the server still keeps a small copy.

The page is tests/files/phone_page.py (the include and upload-size.js on a form, as a page of the
portal would have them); its view records what arrived.
"""

import functools

import pytest

from . import phone_page
from .photo_files import jpeg, paper_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.urls("tests.files.phone_page"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # the live server commits
]

MB = 1024 * 1024


@functools.cache
def six_mb_photo() -> bytes:
    return jpeg(paper_photo((4000, 3000), digit_height=40), quality=95)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_20261207_101500.jpg"
    path.write_bytes(six_mb_photo())
    assert 5 * MB < path.stat().st_size < 7 * MB
    phone_page.received.clear()
    return path


def test_a_6_mb_photo_arrives_at_a_few_hundred_kb(live_server, browser_page, photo):
    page = browser_page
    page.goto(f"{live_server.url}/photo/")
    page.set_input_files("#id_photo", str(photo))

    line = page.locator("#id_photo_size")
    line.filter(has_text="→").wait_for()
    assert "MB →" in line.inner_text() and "KB" in line.inner_text()  # before → after, by upload-size.js
    page.click("button[name=send]")
    page.locator("#kept").wait_for()

    (entry,) = phone_page.received
    assert entry["send"] == "1"  # the pressed button went with the form
    assert 30_000 < entry["bytes"] < 600_000, entry  # what the phone sent
    assert entry["name"] == "IMG_20261207_101500.jpg"
    assert entry["kept"] <= entry["bytes"]
    assert page.url.endswith("/photo/")


def test_without_upload_size_the_sizes_are_shown_all_the_same(live_server, browser_page, photo):
    page = browser_page
    page.goto(f"{live_server.url}/photo/?plain")
    page.set_input_files("#id_photo", str(photo))
    line = page.locator("p.upload-size")
    line.wait_for()
    assert "MB → " in line.inner_text() and "KB" in line.inner_text()
    page.set_input_files("#id_photo", str(photo))  # chosen again: one line, not two
    page.wait_for_timeout(3000)
    assert page.locator("p.upload-size").count() == 1
    page.click("button[name=send]")
    page.locator("#kept").wait_for()
    assert phone_page.received[0]["bytes"] < 600_000


def test_a_failed_send_offers_a_retry_that_keeps_the_photo(live_server, browser_page, photo):
    page = browser_page
    page.goto(f"{live_server.url}/photo/")
    failures = []

    def cut_the_first_send(route):
        if route.request.method == "POST" and not failures:
            failures.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/photo/", cut_the_first_send)
    page.set_input_files("#id_photo", str(photo))
    page.locator("#id_photo_size").filter(has_text="→").wait_for()
    page.click("button[name=send]")

    retry = page.locator("button.phone-photo-retry")
    retry.wait_for()
    assert phone_page.received == [] and failures
    assert page.locator("#id_photo").evaluate("input => input.files.length") == 1  # still chosen
    retry.click()
    page.locator("#kept").wait_for()
    (entry,) = phone_page.received
    assert entry["bytes"] < 600_000 and entry["send"] == "1"


def test_without_javascript_the_server_keeps_a_small_copy(live_server, chromium, photo):
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/photo/")
    page.set_input_files("#id_photo", str(photo))
    page.click("button[name=send]")
    page.locator("#kept").wait_for()
    (entry,) = phone_page.received
    assert entry["bytes"] > 5 * MB  # sent as it was…
    assert 30_000 < entry["kept"] < 500_000  # …and kept small
    context.close()


def test_a_dark_photo_is_refused_with_what_to_do(live_server, browser_page, tmp_path):
    path = tmp_path / "dark.jpg"
    path.write_bytes(jpeg(paper_photo((1600, 1200), brightness=0.15, digit_height=24), quality=85))
    phone_page.received.clear()
    page = browser_page
    page.goto(f"{live_server.url}/photo/")
    page.set_input_files("#id_photo", str(path))
    page.click("button[name=send]")
    page.locator("#error").wait_for()
    assert phone_page.received[0]["error"] == "photo_too_dark"
