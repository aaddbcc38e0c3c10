"""A county administrator enters a year from the notice in a real browser, without JavaScript of ours.

Paste the text, read it, look at the preview, save the draft, confirm it. The year is 2027, which
the holidays package does not know; its text is invented for the test (tests/workdays/notices.py),
never loaded anywhere else. The preview's screenshot is left in the test's tmp_path for a person
to look at (pytest --basetemp=DIR keeps it).
"""

import re

import pytest

from portal.workdays.models import CalendarDay, CalendarYear
from tests.conftest import PASSWORD

from .notices import INVENTED_2027, INVENTED_2027_NUMBER


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_county_administrator_enters_and_confirms_a_year_from_the_notice(
    live_server, chromium, world, tmp_path
):
    # Tall enough for the whole page: the back office scrolls inside its main area, which
    # screenshots do not follow.
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 5200})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.county_admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # The years index offers entering a year from the notice.
    page.goto(f"{live_server.url}/admin/calendar_years/")
    page.click("a[href='/admin/calendar_years/enter/']")
    page.wait_for_url(re.compile(r"/admin/calendar_years/enter/$"))

    page.fill("#id_text", INVENTED_2027)
    page.click("button[name=action][value=read]")
    page.wait_for_selector("#preview")
    assert page.input_value("#id_year") == "2027"
    assert page.input_value("#id_notice") == INVENTED_2027_NUMBER
    assert page.input_value("#id_holidays-1-first") == "2027-02-05"
    assert page.locator("table.wd-month").count() == 12
    assert page.locator("#entry-problems").count() == 0
    # Marks in words, not only colour: 休 on days off, 班 on worked weekend days.
    february = page.locator("table.wd-month").nth(1)
    assert "休" in february.inner_text() and "班" in page.locator("table.wd-month").first.inner_text()
    page.screenshot(path=str(tmp_path / "enter-2027.png"))
    page.locator(".wd-months").screenshot(path=str(tmp_path / "preview-2027.png"))

    # A correction typed into a row is previewed before it can be saved.
    page.fill("#id_holidays-4-last", "2027-06-11")
    page.click("button.button-secondary[name=action][value=preview]")
    page.wait_for_selector("#preview")
    assert page.input_value("#id_holidays-4-last") == "2027-06-11"

    page.click("button[name=action][value=save]")
    page.wait_for_url(re.compile(r"/admin/calendar_years/confirm/\d+/$"))
    assert page.locator("table.wd-month").count() == 12
    calendar_year = CalendarYear.objects.get(year=2027)
    assert calendar_year.status == CalendarYear.Status.DRAFT
    assert CalendarDay.objects.filter(year=calendar_year, date="2027-06-11").exists()
    page.screenshot(path=str(tmp_path / "confirm-2027.png"))

    page.click("#confirm-year")
    page.wait_for_url(re.compile(r"/admin/calendar_years/$"))
    calendar_year.refresh_from_db()
    assert calendar_year.is_confirmed
    assert calendar_year.confirmed_by == world.county_admin
    context.close()
