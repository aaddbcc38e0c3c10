"""A wish's whole life in a real browser (system Chromium): a villager sends it on the public
form → the supervisor assigns it with a promise → the clerk marks it done → the villager
confirms on the public page with the number and the mobile's last 4 digits → it is red on the
village's public promise list.

The live server answers from another thread, so the database is transactional;
`serialized_rollback` puts back the rows migrations made for the tests that follow.
"""

import datetime

import pytest
from django.utils import timezone

from ledger.models import LedgerItem
from ledger.states import State
from tests.conftest import PASSWORD, build_world

VILLAGER_MOBILE = "13766665555"


def log_in(page, base: str, username: str) -> None:
    page.goto("about:blank")  # stop the last page's loads: a late response would set its cookie again
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wish_from_the_form_to_red_on_the_list(live_server, browser_page):
    world = build_world()
    page, base = browser_page, live_server.url

    # The villager sends a wish without logging in, from the village's promise list.
    page.goto(f"{base}/promises/{world.village_a1.code}/")
    page.click("main a.button.primary")  # "Tell us what you need"
    page.fill("#id_name", "王秀英")
    page.fill("#id_mobile", VILLAGER_MOBILE)
    assert page.input_value("#id_village") == str(world.village_a1.pk)
    page.fill("#id_need", "孙子上学缺一个书包")
    page.click("main form button.primary")
    page.wait_for_url(lambda url: "/wishes/W" in url)
    item = LedgerItem.objects.get(villager_mobile=VILLAGER_MOBILE)
    assert item.number in page.inner_text(".app-number")
    assert item.state == State.REGISTERED and item.registered_by is None

    # The supervisor assigns it to the clerk with a promise.
    log_in(page, base, "supervisor_a")
    page.goto(f"{base}/work/ledger/")
    page.click(f"a[href='/work/ledger/{item.pk}/']")
    page.click(f"a[href='/work/ledger/{item.pk}/act/assign/']")
    page.select_option("#id_to", str(world.clerk_a.pk))
    page.fill("#id_promise", "镇妇联送一个新书包")
    promised_on = timezone.localdate() + datetime.timedelta(days=3)
    page.fill("#id_promised_on", promised_on.isoformat())
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/ledger/{item.pk}/")
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS and item.assignee == world.clerk_a

    # The clerk marks it done.
    log_in(page, base, "clerk_a")
    page.goto(f"{base}/work/ledger/{item.pk}/")
    page.click(f"a[href='/work/ledger/{item.pk}/act/mark_done/']")
    page.fill("#id_comment", "书包已送到家")
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/ledger/{item.pk}/")
    item.refresh_from_db()
    assert item.state == State.DONE

    # Black on the list until the villager confirms.
    page.goto("about:blank")  # stop the last page's loads: a late response would set its cookie again
    page.context.clear_cookies()
    page.goto(f"{base}/promises/{world.village_a1.code}/")
    assert page.locator("li.promise-open", has_text="镇妇联送一个新书包").count() == 1

    # The villager looks it up with the number and the mobile's last 4 digits, and confirms.
    page.goto(f"{base}/wishes/track/")
    page.fill("#wish-number", item.number)
    page.fill("#wish-last4", VILLAGER_MOBILE[-4:])
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/wishes/{item.number}/")
    text = page.inner_text("main")
    assert "王*英" in text and "王秀英" not in text and "clerk_a" not in text
    page.click("button[value=done]")
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.closed_via == "online"

    # Red on the public promise list, and said in words too.
    page.goto(f"{base}/promises/{world.village_a1.code}/")
    closed = page.locator("li.promise-closed", has_text="镇妇联送一个新书包")
    assert closed.count() == 1
    assert closed.evaluate("e => getComputedStyle(e).color") == "rgb(163, 22, 26)"
    assert "已销号" in closed.inner_text()
    assert "王秀英" not in page.content() and VILLAGER_MOBILE not in page.content()
    page.screenshot(path="/tmp/cunban_promises_red.png", full_page=True)
