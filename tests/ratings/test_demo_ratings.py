"""`make demo`'s ratings: every level, a rectification in each state, an appeal waiting and one
decided, an overdue rectification on the supervisor's list, and a second load that adds nothing.
On a fixed day (`demo_day`); tests/test_demo_dates.py tells the stories on thirty others."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from portal.demo.ratings import load_demo_ratings
from ratings.models import Rating, RatingEvent
from tests.demo_checks import check_ratings

pytestmark = pytest.mark.usefixtures("demo_day")


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ratings_cover_every_level_and_state_and_load_once():
    call_command("load_demo", stdout=StringIO())
    check_ratings()

    before = (Rating.objects.count(), RatingEvent.objects.count())
    lines = []
    assert load_demo_ratings(progress=lines.append) == 0
    assert (Rating.objects.count(), RatingEvent.objects.count()) == before
    assert "already loaded" in lines[0]
