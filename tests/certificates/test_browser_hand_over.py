"""送达 in a real browser (system Chromium) on a 360-px phone (issue 18, gap 9): the assistant
opens the hand-over, the date is today, the villager signs with a finger in the box, and the
clerk's page shows the signature; without JavaScript the box stays hidden and a photo of the
signed paper does instead. The live server answers from another thread, so the database is
transactional."""

import pytest
from django.utils import timezone

from approvals.states import Act
from certificates.models import HandOverProof
from tests.certificates.proofs import receipt_photo
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _phone(chromium, *, javascript: bool = True):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=javascript, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_villager_signs_on_the_assistant_s_phone(live_server, chromium, approve, world):
    certificate = approve("dibao", "a1")
    application = certificate.application
    base = live_server.url
    page = _phone(chromium)
    _login(page, base, world.assistant_a1.username)
    page.goto(f"{base}/work/{application.pk}/act/{Act.HAND_OVER}/")
    assert page.input_value("#id_on") == timezone.localdate().isoformat()
    canvas = page.locator("[data-signature-pad] canvas")
    assert canvas.is_visible()
    box = canvas.bounding_box()
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 362)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + (e.getAttribute('name') || ''))"
    )
    assert box is not None and box["width"] <= 360, wide
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    page.click("main form button.primary")  # not signed yet: refused, nothing lost
    assert "送达回证" in page.inner_text(".msg.error")

    canvas = page.locator("[data-signature-pad] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 150)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 22, y + 150 - (step % 2) * 90, steps=3)
    page.mouse.up()
    assert page.inner_text("[data-signature-status]") == "已签名。"
    page.screenshot(path="/tmp/cunban_hand_over_signed.png", full_page=True)
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/{application.pk}/")

    certificate.refresh_from_db()
    assert certificate.handed_over_on == timezone.localdate()
    assert certificate.handed_over_proof_kind == HandOverProof.SIGNATURE
    page.context.close()

    clerk = _phone(chromium)
    _login(clerk, base, world.clerk_a.username)
    clerk.goto(f"{base}/work/{application.pk}/")
    thumb = clerk.locator("img.proof-thumb")
    assert thumb.count() == 1
    assert clerk.evaluate("document.querySelector('img.proof-thumb').naturalWidth") > 0  # the PNG loads
    clerk.context.close()


def test_without_javascript_a_photo_of_the_signed_paper_does(live_server, chromium, approve, world, tmp_path):
    certificate = approve("dibao", "a1")
    application = certificate.application
    base = live_server.url
    page = _phone(chromium, javascript=False)
    _login(page, base, world.assistant_a1.username)
    page.goto(f"{base}/work/{application.pk}/act/{Act.HAND_OVER}/")
    assert not page.locator("[data-signature-pad]").is_visible()
    photo = tmp_path / "回执.png"
    photo.write_bytes(receipt_photo().read())
    page.set_input_files("#id_photo", str(photo))
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/{application.pk}/")
    certificate.refresh_from_db()
    assert certificate.handed_over_proof_kind == HandOverProof.PHOTO
    page.context.close()
