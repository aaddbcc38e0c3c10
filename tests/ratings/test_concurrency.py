"""Ratings at the same moment, on PostgreSQL's row locks: two submissions give one rating (the
second is a change), and two answers to one rectification give one answer."""

from functools import partial

import pytest

from ratings import services as rating_services
from ratings.models import Channel, Level, Rating, RatingEvent, Rectification
from tests.approvals.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_ratings_at_once_make_one_rating_and_one_change(decided):
    for _ in range(3):
        application = decided("a1")
        outcomes = race(
            *(
                partial(
                    rating_services.rating_submit,
                    application=application,
                    level=level,
                    channel=Channel.TRACKING,
                )
                for level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
            )
        )
        assert outcomes == ["done", "done"]
        rating = Rating.objects.get(application=application)
        acts = sorted(rating.events.values_list("act", flat=True))
        assert acts == sorted([RatingEvent.Act.RATE, RatingEvent.Act.OPEN, RatingEvent.Act.CHANGE])
        assert rating.rectifications.filter(state=Rectification.State.OPEN).count() == 1


def test_two_answers_at_once_one_wins(bad, world):
    outcomes = race(
        *(
            partial(
                rating_services.rectification_answer,
                actor=world.supervisor_a,
                rectification=bad,
                answer=f"第{n}次反馈：已约谈窗口人员并向村民说明。",
            )
            for n in (1, 2)
        )
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["done", "refused"]
    assert bad.events.filter(act=RatingEvent.Act.ANSWER).count() == 1
