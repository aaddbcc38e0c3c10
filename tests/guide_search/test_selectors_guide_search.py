"""guide_search: what villagers type finds the intended item first, in a fixed number of queries."""

import pytest

from services_catalog.search.selectors import SearchHit, guide_search

from .cases import FIRST_HIT
from .conftest import LOW_INCOME, MEDICAL


@pytest.mark.parametrize(("query", "expected"), FIRST_HIT)
def test_villagers_words_find_the_item_first(catalogue, query, expected):
    hits = guide_search(query)
    assert hits, query
    assert hits[0].page.title == expected, [(hit.page.title, hit.score) for hit in hits]


def test_a_hit_is_the_specific_page_with_its_department_and_what_matched(
    catalogue, world, django_assert_num_queries
):
    [hit, *_] = guide_search("低保")
    assert isinstance(hit, SearchHit)
    with django_assert_num_queries(0):
        assert hit.page.department == world.d1  # selected with the page
        assert hit.page.item_code == catalogue.items[LOW_INCOME].item_code
    assert hit.matched == ("低保",)
    assert hit.means == ("最低生活保障",)


def test_a_search_costs_three_queries_however_many_hits(catalogue, django_assert_num_queries):
    # synonyms, the ranking, the pages of the hits (one page type)
    with django_assert_num_queries(3):
        many = guide_search("保")
    with django_assert_num_queries(3):
        one = guide_search("高龄津贴")
    assert len(many) > len(one) >= 1


def test_nothing_typed_costs_one_query_and_finds_nothing(catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert guide_search(" ？ ") == []


def test_words_found_nowhere_find_nothing(catalogue):
    assert guide_search("xyzzy") == []
    assert guide_search("火箭发射") == []


def test_several_words_rank_pages_matching_more_of_them_first(catalogue):
    hits = guide_search("医保 登记")
    assert hits[0].page.title == MEDICAL
    assert set(hits[0].matched) == {"医保", "登记"}


def test_limit_caps_the_hits(catalogue):
    assert len(guide_search("居民", limit=1)) == 1


def test_an_unpublished_item_is_not_found(catalogue, world):
    draft = catalogue.add_item("困难残疾人生活补贴发放", department=world.d1, publish=False)
    assert draft.pk not in {hit.page.pk for hit in guide_search("困难残疾人生活补贴")}
    assert draft.pk not in {hit.page.pk for hit in guide_search("kunnancanjiren")}


def test_a_page_unpublished_after_indexing_is_dropped_at_query_time_too(catalogue):
    """Even when the index missed the change (a raw update, no signal), hits are live pages."""
    from wagtail.models import Page

    Page.objects.filter(pk=catalogue.items[LOW_INCOME].pk).update(live=False)
    assert LOW_INCOME not in [hit.page.title for hit in guide_search("低保")]
