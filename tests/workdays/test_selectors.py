"""unconfirmed_years_between: which years of a period count only as the default week."""

import datetime

import pytest

from portal.workdays.selectors import unconfirmed_years_between

from .factories import CalendarYearFactory

D = datetime.date

pytestmark = pytest.mark.django_db


def test_it_lists_draft_years_and_years_never_entered(django_assert_num_queries):
    CalendarYearFactory(year=2025, confirmed=True)
    CalendarYearFactory(year=2026)  # draft
    with django_assert_num_queries(1):
        assert unconfirmed_years_between(D(2025, 12, 1), D(2027, 1, 10)) == [2026, 2027]


def test_it_is_empty_when_every_year_is_confirmed():
    CalendarYearFactory(year=2026, confirmed=True)
    assert unconfirmed_years_between(D(2026, 1, 1), D(2026, 12, 31)) == []


def test_it_is_empty_for_a_reversed_period(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert unconfirmed_years_between(D(2027, 1, 1), D(2026, 1, 1)) == []
