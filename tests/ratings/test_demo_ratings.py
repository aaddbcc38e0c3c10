"""`make demo`'s ratings: every level, a rectification in each state, an appeal waiting and one
decided, an overdue rectification on the supervisor's list, and a second load that adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from approvals.ratings import selectors
from approvals.ratings.models import Level, Rating, RatingAppeal, RatingEvent, Rectification
from portal.demo.ratings import load_demo_ratings
from portal.people.models import User


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ratings_cover_every_level_and_state_and_load_once():
    call_command("load_demo", stdout=StringIO())
    assert set(Rating.objects.values_list("level", flat=True)) == set(Level.values)
    states = set(Rectification.objects.values_list("state", flat=True))
    assert states == set(Rectification.State.values)
    assert set(RatingAppeal.objects.values_list("outcome", flat=True)) == {"pending", "set_aside"}
    assert Rating.objects.filter(channel__in=["assistant", "paper"], recorded_by__isnull=False).exists()
    assert RatingEvent.objects.filter(act=RatingEvent.Act.CHANGE).exists()

    supervisor = User.objects.get(username="demo_supervisor")
    assert selectors.overdue_rectifications_for(supervisor).exists()
    assert selectors.appeals_for(User.objects.get(username="demo_admin")).count() == 1
    for event in RatingEvent.objects.select_related("rating"):
        assert event.at >= event.rating.decided_at
        assert event.at < timezone.now()

    before = (Rating.objects.count(), RatingEvent.objects.count())
    lines = []
    assert load_demo_ratings(progress=lines.append) == 0
    assert (Rating.objects.count(), RatingEvent.objects.count()) == before
    assert "already loaded" in lines[0]
