"""What a villager sees on an item page: for their own village, where and by whose authority."""

import re

from django.urls import reverse

from portal.offices.selectors import PLACE_COOKIE
from services_catalog.models import DelegationMode


def test_without_a_village_the_page_asks_for_one(client, dibao):
    body = client.get(dibao.url).content.decode()
    assert dibao.title in body
    assert reverse("offices:find_assistant") + "?next=" in body
    assert "居民身份证" in body and "《社会救助暂行办法》第九条" in body


def test_with_a_delegated_item_it_says_done_at_the_township(client, world, dibao, delegate):
    delegate(dibao, [world.centre_a], mode=DelegationMode.ENTRUSTMENT)
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    body = client.get(dibao.url).content.decode()
    assert world.centre_a.name in body
    assert "宝坻政发〔2024〕12号" in body and world.d1.name in body  # by whose authority
    assert 'href="tel:13900000001"' in body  # the village's assistant


def test_without_delegation_it_says_go_to_the_department(client, world, dibao, delegate):
    delegate(dibao, [world.centre_a])
    client.cookies[PLACE_COOKIE] = world.village_b1.code  # township B has no delegation
    body = client.get(dibao.url).content.decode()
    assert world.d1.name in body
    assert world.centre_a.name not in body


def test_an_item_the_assistant_cannot_file_says_so(client, world, guide):
    from tests.services_catalog.conftest import make_item

    item = make_item(guide, world.d1, code="120115-QR-009", title="某确认事项", village_proxy=False)
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    body = client.get(item.url).content.decode()
    assert "✘" in body


def test_the_item_page_is_small_and_has_few_queries(
    client, world, dibao, delegate, django_assert_max_num_queries
):
    delegate(dibao, [world.centre_a])
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    client.get(dibao.url)  # warm the site root cache
    with django_assert_max_num_queries(10):
        response = client.get(dibao.url)
    assert response.status_code == 200
    assert len(response.content) < 30_000


def test_the_printable_checklist(client, world, dibao):
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    body = client.get(dibao.url + "checklist/").content.decode()
    assert body.count("<tr>") == 4  # header + three materials
    assert "村级代办员可代填" in body
    assert "13900000001" in body


def test_choosing_my_village_comes_back_to_the_item(client, world, dibao):
    url = reverse("offices:remember_village", args=[world.township_a.code, world.village_a1.code])
    response = client.post(url, {"next": dibao.url})
    assert response.status_code == 302 and response["Location"] == dibao.url
    assert client.cookies[PLACE_COOKIE].value == world.village_a1.code
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"].startswith("/find-assistant/")


def test_the_guide_index_browses_by_event_and_department(client, world, guide, dibao):
    from services_catalog.models import LifeEvent

    dibao.life_events.add(LifeEvent.objects.get(slug="assistance"))
    dibao.save_revision().publish()
    body = client.get(guide.url).content.decode()
    assert "社会救助" in body and world.d1.name in body
    assert dibao.title in client.get(guide.url + "?event=assistance").content.decode()
    assert dibao.title in client.get(guide.url + f"?department={world.d1.pk}").content.decode()


def test_the_guide_lists_items_a_to_z_by_pinyin_without_a_query_per_item(client, world, guide, dibao):
    """Issue 18, gap 15: an A–Z list by the first letter of the title's pinyin (拼音首字母)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.services_catalog.conftest import make_item

    make_item(guide, world.d1, code="120115-JF-201", title="高龄津贴申领")
    make_item(guide, world.d1, code="120115-JF-202", title="残疾人两项补贴")
    body = client.get(guide.url).content.decode()
    letters = re.findall(r'<a href="#letter-(\w+)">', body)
    assert letters == ["C", "G", "Z"]
    assert body.index("残疾人两项补贴") < body.index("高龄津贴申领") < body.rindex(dibao.title)

    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(guide.url)
    for n in range(3, 9):
        make_item(guide, world.d1, code=f"120115-JF-2{n:02d}", title=f"事项{n}")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(guide.url)
    assert len(many) == len(few), [query["sql"] for query in many]
