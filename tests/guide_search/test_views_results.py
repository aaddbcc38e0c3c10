"""The search page: one box, results best first, where each is done for the villager."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.offices.selectors import PLACE_COOKIE
from services_catalog.models import Delegation, DelegationMode

from .conftest import HOUSING, LOW_INCOME

URL = reverse("guide_search:results")


def get(client, query=None, **kwargs):
    return client.get(URL, {"q": query} if query is not None else {}, **kwargs)


def test_the_page_has_a_plain_form_that_keeps_the_query(client, catalogue):
    body = get(client, "低保").content.decode()
    assert re.search(r'<form method="post" action="/search/"', body)  # ID-like queries never reach a URL
    assert 'name="q" value="低保"' in body
    assert "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]


def test_results_show_title_link_summary_and_department_best_first(client, catalogue, world):
    body = get(client, "dibao").content.decode()
    item = catalogue.items[LOW_INCOME]
    assert f'href="{item.url}"' in body
    assert item.summary in body
    assert world.d1.name in body
    assert "<mark>" in body  # the official words the villager's word stands for
    assert body.index(item.summary) < body.index(world.d1.name)


def test_the_route_follows_a_delegation_for_the_villagers_township(client, catalogue, world):
    item = catalogue.items[LOW_INCOME]
    delegation = Delegation.objects.create(
        item=item,
        department=world.d1,
        mode=DelegationMode.ENTRUSTMENT,
        document_number="宝坻政发〔2024〕12号",
        valid_from="2024-03-01",
    )
    delegation.centres.set([world.centre_a])

    client.cookies[PLACE_COOKIE] = world.village_a1.code
    body = get(client, "低保").content.decode()
    first = body.split('<li class="card">')[1]
    assert item.url in first and world.centre_a.name in first

    client.cookies[PLACE_COOKIE] = world.village_b1.code  # township B has no delegation
    first = get(client, "低保").content.decode().split('<li class="card">')[1]
    assert world.centre_a.name not in first and world.d1.name in first


def test_without_a_village_the_page_offers_to_choose_one(client, catalogue):
    body = get(client, "盖房子").content.decode()
    assert reverse("offices:find_assistant") + "?next=" in body


def count_queries(client, query: str, **kwargs) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = get(client, query, **kwargs)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("with_village", [False, True])
def test_queries_do_not_grow_with_the_number_of_hits(
    client, catalogue, world, with_village, django_assert_max_num_queries
):
    if with_village:
        client.cookies[PLACE_COOKIE] = world.village_a1.code
    get(client, "低保")  # warm Wagtail's site cache
    few, body_few = count_queries(client, "高龄津贴")
    many, body_many = count_queries(client, "身份证")  # a material most items ask for
    assert body_few.count('<li class="card">') == 1
    assert body_many.count('<li class="card">') >= 4
    assert few == many
    # synonyms, ranking, pages, Wagtail's site for the links; with a village also the
    # village and the routes of all hits
    with django_assert_max_num_queries(6 if with_village else 4):
        get(client, "身份证")


def test_zero_results_suggest_common_words_and_the_assistant(client, catalogue):
    body = get(client, "火箭发射").content.decode()
    assert '<li class="card">' not in body
    assert 'href="?q=%E4%BD%8E%E4%BF%9D"' in body  # 低保
    assert reverse("offices:find_assistant") in body


def test_an_empty_query_shows_the_box_and_common_words(client, catalogue):
    body = get(client).content.decode()
    assert 'name="q" value=""' in body
    assert "盖房子" in body and '<li class="card">' not in body


def test_the_page_is_small(client, catalogue):
    assert len(get(client, "身份证").content) < 30_000
    assert len(get(client, "保").content) < 30_000


def test_the_query_is_escaped(client, catalogue):
    body = get(client, '<script>alert("x")</script>盖房子').content.decode()
    assert "<script>alert" not in body
    assert f'href="{catalogue.items[HOUSING].url}"' in body


def test_get_head_and_a_post_that_redirects(client, catalogue):
    # The boxes post, so an ID number typed by mistake never reaches a URL (issue 16, finding 17).
    response = client.post(URL, {"q": "低保"})
    assert response.status_code == 303 and response["Location"].startswith(URL + "?q=")
    assert client.put(URL, {"q": "低保"}).status_code == 405


def test_a_query_longer_than_100_characters_is_cut_and_the_page_says_so(client, catalogue):
    """Issue 18, gap 15: only the first 100 characters are searched, and the villager is told."""
    long_query = "低保" + "的" * 120
    redirect = client.post(URL, {"q": long_query})
    assert redirect.status_code == 303 and "cut=1" in redirect["Location"]
    body = client.get(redirect["Location"]).content.decode()
    assert "只按前100个字搜索" in body
    assert 'value="' + long_query[:100] + '"' in body
    assert "只按前100个字搜索" in get(client, long_query).content.decode()  # typed into the address
    assert "只按前100个字搜索" not in get(client, "低保").content.decode()
