"""Issue 18, gap 15: the villagers' home page names the county, links its latest policies and
news, and is served whole from the page cache like the other public pages: one copy per
language and 长辈版, made stale when a page is published."""

from django.conf import settings

from portal.web.context_processors import ELDERLY_COOKIE

from .conftest import make_news, make_policy


def get_home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_home_names_the_county_and_links_policies_and_news(client, world, tree):
    policy = make_policy(tree.policies)
    news = make_news(tree.news)
    body = get_home(client).content.decode()
    assert world.county.name in body
    assert policy.title in body and policy.url in body
    assert news.title in body and news.url in body
    assert tree.policies.url in body and tree.news.url in body


def test_a_second_visit_is_served_from_the_cache_without_a_query(client, tree, django_assert_num_queries):
    first = get_home(client)
    with django_assert_num_queries(0):
        second = get_home(client)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert first.content == second.content


def test_each_language_and_elderly_mode_has_its_own_copy(client, tree):
    chinese = get_home(client)
    client.cookies[ELDERLY_COOKIE] = "1"
    elderly = get_home(client)
    assert elderly["X-Page-Cache"] == "miss" and b'class="elderly"' in elderly.content
    del client.cookies[ELDERLY_COOKIE]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = get_home(client)
    assert english["X-Page-Cache"] == "miss" and english.content != chinese.content
    assert b'lang="en"' in english.content
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert get_home(client)["X-Page-Cache"] == "hit"


def test_publishing_a_policy_shows_on_the_home_page_at_once(client, tree):
    get_home(client)
    policy = make_policy(tree.policies, n=7)
    response = get_home(client)
    assert response["X-Page-Cache"] == "miss" and policy.title in response.content.decode()


def test_staff_get_the_home_page_uncached(client, world, tree):
    client.force_login(world.clerk_a)
    assert "X-Page-Cache" not in get_home(client)
