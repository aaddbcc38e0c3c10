"""In a real browser (system Chromium): the duplicate warning on the assistant's draft and its
confirmation (issue 18, gap 11), and the size of a chosen file shown and a too-large file stopped
before it is sent (gap 12d). Screenshots of the 360-pixel phone page go to /tmp."""

import pytest
from django.db import connections

from approvals.models import Application
from approvals.states import State
from tests.approvals.test_browser_filing import log_in

SCREENSHOT = "/tmp/cunban_duplicate_warning_360.png"


@pytest.fixture
def page(browser_page):
    yield browser_page
    connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_assistant_sees_the_duplicate_and_a_too_large_file_before_sending(
    live_server, page, world, cases, settings
):
    settings.CUNBAN_UPLOAD_MAX_BYTES = 50_000
    first = cases.submitted()
    draft = cases.draft()
    base = live_server.url
    log_in(page, base, world.assistant_a1.username)
    page.goto(f"{base}/work/{draft.pk}/edit/")
    warning = page.locator("#duplicates")
    assert warning.is_visible()
    assert first.number in warning.inner_text()

    material = next(m for m in draft.item.materials.all() if m.name == "户口簿")
    page.set_input_files(
        f"#id_material_{material.pk}",
        {"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" + b"0" * 80_000},
    )
    size_note = page.locator(f"#id_material_{material.pk}_size")
    assert "户口簿.pdf" in size_note.inner_text() and "KB" in size_note.inner_text()
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.click("button[name=submit]")
    page.wait_for_timeout(300)
    assert page.url == f"{base}/work/{draft.pk}/edit/"  # nothing sent: the browser stopped it
    draft.refresh_from_db()
    assert draft.state == State.DRAFT

    page.set_input_files(f"#id_material_{material.pk}", [])
    page.check("input[name=confirm_duplicate]")
    page.click("button[name=submit]")
    page.wait_for_url(lambda url: "/receipt/" in url)
    assert Application.objects.get(pk=draft.pk).state == State.SUBMITTED
