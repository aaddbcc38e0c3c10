"""Each role logs in and reaches its work from the landing page in at most two taps, in a real
browser (system Chromium through Playwright) on a 360-pixel phone, with JavaScript off: the
staff home must work without it (issue 18, gap 1). A clerk who opens /admin/ gets the refusal
page and is one tap from their desk again (gap 2). Screenshots of each home are left in /tmp.

The live server answers from another thread, so the database is transactional;
`serialized_rollback` puts back the rows migrations made for the tests that follow.
"""

import pytest
from django.db import connections

from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.conftest import PASSWORD
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

# person -> the taps from the landing page (link texts, in order) and where they end, and
# what that page says. At most two taps each.
WALKS = {
    "clerk_a": (["待办工作"], "/work/", "待办工作"),
    "supervisor_a": (["已超期"], "/work/?due=overdue", "待办工作"),
    "officer_d1": (["待办工作"], "/work/", "待办工作"),
    "assistant_a1": (["为村民新建代办申请"], "/work/new/", "最低生活保障"),
    "editor": (["进入管理后台"], "/admin/", ""),
    "county_admin": (["差评申诉"], "/work/appeals/", ""),
    "township_admin_a": (["民情台账"], "/work/ledger/", "民情台账"),
}


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def phone(chromium):
    """A phone 360 pixels wide, in Chinese, without JavaScript; one context per person."""
    contexts = []

    def open_page():
        context = chromium.new_context(
            viewport={"width": 360, "height": 780}, locale="zh-CN", java_script_enabled=False
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_role_reaches_its_work_in_two_taps(live_server, phone, world, cases, items):  # noqa: F811
    base = live_server.url
    cases.submitted()
    for person, (taps, target, says) in WALKS.items():
        page = phone()
        log_in(page, base, getattr(world, person).username)
        assert page.url == f"{base}/staff/", person  # every staff login lands on the home
        page.screenshot(path=f"/tmp/cunban_staff_home_{person}_360.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (person, width)  # nothing scrolls sideways on the phone
        assert len(taps) <= 2
        for text in taps:
            page.locator("main").get_by_role("link", name=text).first.click()
            page.wait_for_load_state()
        assert page.url == f"{base}{target}", (person, page.url)
        if says:
            assert says in page.locator("main").inner_text(), person


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_who_opens_the_back_office_is_told_and_one_tap_from_their_desk(live_server, phone, world):
    base = live_server.url
    page = phone()
    log_in(page, base, world.clerk_a.username)
    response = page.goto(f"{base}/admin/")
    assert response.status == 403 and page.url == f"{base}/admin/"  # no redirect, no loop
    assert "您的账号不能进入管理后台" in page.locator("h1").inner_text()
    page.screenshot(path="/tmp/cunban_admin_refused_360.png", full_page=True)
    page.get_by_role("link", name="去我的工作台").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/staff/"
