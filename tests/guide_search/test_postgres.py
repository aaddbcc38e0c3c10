"""The same searches on PostgreSQL: the ranking query must answer alike on both databases."""

import pytest

from services_catalog.search.selectors import guide_search

from .cases import FIRST_HIT


@pytest.mark.postgres
def test_villagers_words_find_the_item_first_on_postgresql(catalogue, django_assert_max_num_queries):
    from django.db import connection

    assert connection.vendor == "postgresql"
    for query, expected in FIRST_HIT:
        with django_assert_max_num_queries(3):
            hits = guide_search(query)
        assert hits and hits[0].page.title == expected, (query, [(hit.page.title, hit.score) for hit in hits])


@pytest.mark.postgres
def test_scores_are_integers_and_ties_break_by_page(catalogue):
    hits = guide_search("居民")
    assert all(isinstance(hit.score, int) for hit in hits)
    keys = [(-hit.score, hit.page.pk) for hit in hits]
    assert keys == sorted(keys)
