"""网办 in a real browser (system Chromium through Playwright), on 360x740 phone screens.

The assistant sends the link from the draft page; the test reads the link and the code from the
outbox as the villager's phone would; a second browser context (the phone) opens the link with
the code, uploads three photos from the "camera", signs in the box with the mouse and hands
back; the assistant sees what arrived and submits; the clerk's page shows the signed
authorisation and the materials marked as from the villager's phone.

The live server answers from another thread, so the database is transactional;
`serialized_rollback` puts back the rows migrations made for the tests that follow.
"""

import io

import pytest
from django.db import connections
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from approvals.models import Application, ApplicationFile
from online.models import Consent
from tests.conftest import PASSWORD
from tests.online.conftest import code_in, last_text, link_token

PHONE = {"width": 360, "height": 740}
SCREENSHOT = "/tmp/cunban_remote_phone_360.png"


def photo(label: str) -> bytes:
    """A 1200x1600 JPEG with texture (lines and a gradient), light enough for the photo check."""
    image = Image.linear_gradient("L").resize((1200, 1600)).point(lambda v: 140 + v // 3).convert("RGB")
    draw = ImageDraw.Draw(image)
    for y in range(80, 1600, 60):
        draw.line([(60, y), (1140, y + (y % 7) * 3)], fill=(40, 40, 60), width=3)
    draw.rectangle([100, 100, 1100, 400], outline=(20, 20, 20), width=8)
    draw.text((140, 200), label, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def contexts(chromium):
    opened = []

    def new(**kwargs):
        context = chromium.new_context(viewport=PHONE, locale="zh-CN", **kwargs)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()
    connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_villager_does_it_on_the_phone_and_the_assistant_submits(live_server, contexts, world, draft):
    base = live_server.url
    materials = list(draft.item.materials.all())
    assert len(materials) == 3

    # The assistant sends the link from the draft page (every material not uploaded is ticked).
    assistant = contexts()
    log_in(assistant, base, world.assistant_a1.username)
    assistant.goto(f"{base}/work/{draft.pk}/edit/")
    assert assistant.locator("#remote").is_visible()
    assert assistant.locator("#remote input[name=consent]").is_checked()
    assistant.click("#remote button[name=send_link]")
    assistant.wait_for_url(f"{base}/work/{draft.pk}/edit/#remote")
    assert assistant.evaluate("document.documentElement.scrollWidth") <= 360
    link_url = f"/m/{link_token(last_text('remote-link'))}/"

    # The villager's phone: the code, then the page.
    phone = contexts(user_agent="Mozilla/5.0 (Linux; Android 14; Redmi) Mobile")
    phone.goto(f"{base}{link_url}")
    phone.click("form[action$='/code/send/'] button")
    phone.wait_for_load_state()
    phone.fill("input[name=code]", code_in(last_text("one-time-code")))
    phone.click("form[action$='/code/'] button")
    phone.wait_for_url(f"{base}{link_url}")
    assert phone.locator(".signature-pad").is_visible()  # the script shows the box …
    assert not phone.locator("input[name=code]").is_visible()  # … and hides the typed way

    for material in materials:
        field = phone.locator(f"#id_m{material.pk}_file")
        assert field.get_attribute("capture") == "environment"
        field.set_input_files(
            {"name": f"{material.name}.jpg", "mimeType": "image/jpeg", "buffer": photo(material.name)}
        )
        phone.click(f"#m{material.pk} button[type=submit]")
        # The script sends the form in the background (progress, retry) and then shows the
        # server's answer: the page with the file listed under its material.
        expect(phone.locator(f"#m{material.pk} .stored")).to_contain_text(f"{material.name}.jpg")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.fill("#id_name", "张小明")
    canvas = phone.locator(".signature-pad canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(
            box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=3
        )
    phone.mouse.up()
    phone.click("#sign-form button[type=submit]")
    phone.wait_for_load_state()
    consent = Consent.objects.get()
    assert consent.method == Consent.Method.SIGNATURE and consent.signature_sha256
    assert "Android" in consent.user_agent
    phone.screenshot(path=SCREENSHOT, full_page=True)
    phone.click("button[name=done]")
    phone.wait_for_load_state()

    # The assistant sees what arrived and submits as always.
    assistant.goto(f"{base}/work/{draft.pk}/edit/")
    arrived = assistant.locator("#remote .arrivals").inner_text()
    assert all(f"{m.name}.jpg" in arrived for m in materials) and "张小明" in arrived
    assistant.click("form.filing button[name=submit]")
    assistant.wait_for_url(f"{base}/work/{draft.pk}/receipt/")
    application = Application.objects.get(pk=draft.pk)
    assert application.number
    assert application.files.filter(origin=ApplicationFile.Origin.VILLAGER_PHONE).count() == 4

    # The clerk's page: the signed authorisation and the materials from the villager's phone.
    clerk = contexts()
    log_in(clerk, base, world.clerk_a.username)
    clerk.goto(f"{base}/work/{draft.pk}/")
    assert clerk.locator("ul.files .tag.phone").count() == 4
    assert consent.sha256 in clerk.locator("ol.timeline").inner_text()
