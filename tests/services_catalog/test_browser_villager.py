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
