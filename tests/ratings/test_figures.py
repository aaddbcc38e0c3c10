"""Satisfaction figures: what each number counts, and who sees which offices."""

import pytest

from ratings import figures
from ratings import services as rating_services
from ratings.models import Level, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(decided, rate, world):
    """Centre A: 5 ratings (3 satisfied, 2 bad: one answered on time, one open); centre B: 1."""
    for level in (Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED):
        rate(decided("a1"), level, assistant_level=Level.VERY_SATISFIED)
    answered = rate(decided("a1"), Level.DISSATISFIED, assistant_level=Level.DISSATISFIED)
    rating_services.rectification_answer(
        actor=world.supervisor_a, rectification=answered.rectifications.get(), answer="已约谈窗口人员并致歉。"
    )
    rate(decided("a1"), Level.VERY_DISSATISFIED)
    rate(decided("b1"), Level.SATISFIED)


def _row(table, name):
    return next(row for row in table if row.name == name)


def test_office_figures_count_shares_and_rectifications_on_time(rated, world):
    tables = figures.for_user(world.county_admin)
    centre_a = _row(tables["offices"], world.centre_a.short_name or world.centre_a.name)
    assert (centre_a.ratings, centre_a.satisfied, centre_a.bad) == (5, 3, 2)
    assert centre_a.satisfied_share == 60.0
    assert (centre_a.rectifications, centre_a.rectified_on_time, centre_a.rectified_share) == (2, 1, 50.0)
    centre_b = _row(tables["offices"], world.centre_b.short_name or world.centre_b.name)
    assert (centre_b.ratings, centre_b.satisfied_share, centre_b.rectified_share) == (1, 100.0, None)


def test_item_and_assistant_figures(rated, world):
    tables = figures.for_user(world.county_admin)
    (item,) = tables["items"]
    assert (item.ratings, item.satisfied, item.rectifications) == (6, 4, 2)
    assistant = _row(tables["assistants"], world.assistant_a1.name)
    assert (assistant.ratings, assistant.satisfied, assistant.satisfied_share) == (4, 3, 75.0)


def test_a_supervisor_sees_their_centre_only(rated, world):
    tables = figures.for_user(world.supervisor_a)
    assert [row.name for row in tables["offices"]] == [world.centre_a.short_name or world.centre_a.name]
    assert sum(row.ratings for row in tables["items"]) == 5
    assert {row.name for row in tables["assistants"]} == {world.assistant_a1.name}
    assert figures.for_user(world.clerk_a) == {"offices": [], "items": [], "assistants": []}


def test_a_changed_mind_leaves_no_rectification_in_the_figures(decided, rate, world):
    application = decided("a1")
    rate(application, Level.DISSATISFIED)
    rate(application, Level.SATISFIED)
    assert Rectification.objects.get().state == Rectification.State.CANCELLED
    (office,) = figures.for_user(world.supervisor_a)["offices"]
    assert (office.ratings, office.bad, office.rectifications) == (1, 0, 0)


def test_the_public_summary_has_every_township(rated, world):
    table = figures.by_township([world.township_a, world.township_b])
    assert [(row.name, row.ratings) for row in table] == sorted(
        [(world.township_a.name, 5), (world.township_b.name, 1)]
    )


def test_the_figures_are_a_fixed_number_of_queries(
    rated, decided, rate, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9) as first:
        figures.for_user(world.county_admin)
    for _ in range(5):
        rate(decided("b1"), Level.VERY_DISSATISFIED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        figures.for_user(world.county_admin)
