"""A villager on a phone, in the system Chromium: search in their own words → item page →
choose their village → see where it is done and who to call → printable checklist."""

import pytest

from portal.offices.selectors import PLACE_COOKIE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_villager_searches_reads_the_item_and_prints_the_checklist(
    live_server, browser_page, world, dibao, delegate
):
    from services_catalog.models import Synonym
    from services_catalog.search.services import search_index_rebuild

    Synonym.objects.create(phrase="低保", means="最低生活保障")
    delegate(dibao, [world.centre_a])
    search_index_rebuild()
    page = browser_page

    page.goto(f"{live_server.url}/search/?q=低保")
    page.click(f"text={dibao.title}")
    assert page.url.endswith(dibao.url)
    assert page.locator("text=居民身份证").first.is_visible()

    # The page asks for the villager's village, then comes back to the item.
    page.click("a[href^='/find-assistant/?next=']")
    page.click(f"text={world.township_a.name}")
    page.click(f"text={world.village_a1.name}")
    page.click("button.primary")
    assert page.url.endswith(dibao.url)
    assert any(cookie["name"] == PLACE_COOKIE for cookie in page.context.cookies())
    where = page.locator("section.where")
    assert world.centre_a.name in where.inner_text()
    assert where.locator("a[href='tel:13900000001']").count() == 1

    page.click(f"a[href='{dibao.url}checklist/']")
    rows = page.locator("table.checklist tbody tr")
    assert rows.count() == 3
    assert "13900000001" in page.inner_text("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_whole_guide_reads_on_a_360_px_phone_before_choosing_a_village(
    live_server, chromium, world, dibao, delegate
):
    """Issue 18, gap 13: the 办事指南 facts are on the item page itself, at 360 px, without
    sideways scrolling, in the normal and the elderly (长辈版) display."""
    delegate(dibao, [world.centre_a])
    for elderly in (False, True):
        context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
        if elderly:
            context.add_cookies([{"name": "cunban_elderly", "value": "1", "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}{dibao.url}")
        facts = page.inner_text("main dl.facts")
        for words in ("办件类型", "承诺件", "申请对象", "村级代办", "网上办理", "送达方式"):
            assert words in facts, words
        office = page.inner_text("section.office")
        assert world.d1.name in office and "2024-03-01" in office
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        context.close()
