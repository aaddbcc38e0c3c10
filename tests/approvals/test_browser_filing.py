"""The filing form's bad-input path in a real browser (system Chromium through Playwright).

An assistant types a villager with a wrong check digit, attaches a good photo for one material
and a program renamed .pdf for another, and presses Submit: both refusals are shown next to
their fields, the typed name and mobile are still there, and the good photo is listed as
uploaded. The page is then looked at on a 360-pixel phone screen.

The live server answers from another thread, so the database is transactional;
`serialized_rollback` puts back the rows migrations made for the tests that follow.
"""

import io

import pytest
from django.db import connections
from PIL import Image

from approvals.models import Application
from tests.conftest import PASSWORD
from tests.factories import make_id_number

SCREENSHOT = "/tmp/cunban_filing_bad_input_360.png"
RECEIPT_SCREENSHOT = "/tmp/cunban_receipt_360.png"
RECEIPT_PRINTED = "/tmp/cunban_receipt_print_a4.png"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def page(browser_page):
    """`browser_page`, and the database connections this test's ORM calls opened while
    Playwright ran closed before it stops (they belong to that context; on PostgreSQL an open
    one keeps the test database from being dropped at the end of the run)."""
    yield browser_page
    connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_input_keeps_what_was_typed_and_uploaded(live_server, page, world, items):
    base = live_server.url
    dibao = items["dibao"]
    materials = {material.name: material for material in dibao.materials.all()}
    id_card, hukou = materials["居民身份证"], materials["户口簿"]
    good_number = make_id_number(order=345)
    wrong_number = good_number[:17] + ("0" if good_number[17] != "0" else "1")

    log_in(page, base, world.assistant_a1.username)
    page.goto(f"{base}/work/new/")
    page.click(f"a[href='/work/new/{dibao.pk}/']")
    page.wait_for_url(f"{base}/work/new/{dibao.pk}/")

    page.fill("#id_name", "王秀英")
    page.fill("#id_id_number", wrong_number)
    page.fill("#id_mobile", "13711112222")
    page.fill("#id_request_note", "申请低保")
    page.set_input_files(
        f"#id_material_{id_card.pk}", {"name": "身份证.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.set_input_files(
        f"#id_material_{hukou.pk}",
        {"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 200},
    )
    page.click("button[name=submit]")
    page.wait_for_load_state()

    application = Application.objects.get()
    assert page.url == f"{base}/work/new/{dibao.pk}/"  # the POST's answer is the form again…
    assert page.get_attribute("form.filing", "action") == f"/work/{application.pk}/edit/"  # …now the draft's

    # Both refusals, each next to its field, and a summary at the top.
    assert page.locator("#fix[role=alert]").is_visible()
    id_error = page.locator("label[for=id_id_number] ~ ul.errorlist").first
    assert id_error.is_visible() and id_error.inner_text().strip()
    hukou_box = page.locator(".upload", has=page.locator(f"#id_material_{hukou.pk}"))
    assert "has-error" in hukou_box.get_attribute("class")
    assert hukou_box.locator("ul.errorlist").inner_text().strip()

    # What was typed is still there; the good photo is stored and listed, the program is not.
    assert page.input_value("#id_name") == "王秀英"
    assert page.input_value("#id_mobile") == "13711112222"
    assert page.input_value("#id_request_note") == "申请低保"
    id_card_box = page.locator(".upload", has=page.locator(f"#id_material_{id_card.pk}"))
    assert "身份证.png" in id_card_box.locator(".stored").inner_text()
    assert hukou_box.locator(".stored").count() == 0
    assert [f.display_name for f in application.files.all()] == ["身份证.png"]

    # Readable on a 360-pixel phone: nothing wider than the screen.
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Corrected and completed, it goes in, and the villager's receipt reads well on the phone.
    page.fill("#id_id_number", good_number)
    page.set_input_files(
        f"#id_material_{hukou.pk}", {"name": "户口簿.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.set_input_files(
        "#id_consent", {"name": "授权委托书.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/work/{application.pk}/receipt/")
    application.refresh_from_db()
    assert page.locator(".app-number").inner_text().replace(" ", "").replace("–", "-") == application.number
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=RECEIPT_SCREENSHOT, full_page=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    assert not page.locator("header.site .prefs").is_visible()
    page.screenshot(path=RECEIPT_PRINTED, full_page=True)
