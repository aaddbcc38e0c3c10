"""Giving a rating: once per application, changeable within the window, only after a decision
(and the hand-over where there is a certificate), by the villager or their assistant."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import services
from certificates import services as certificate_services
from portal.errors import DomainError, NotPermitted
from ratings import services as rating_services
from ratings.models import Channel, Level, QualitySettings, Rating, RatingEvent, Rectification
from tests.certificates.conftest import approve, certified  # noqa: F401
from tests.certificates.proofs import signature_data_url

pytestmark = pytest.mark.django_db


def test_a_decided_application_is_rated_once_with_its_office_item_and_assistant(decided, rate, world):
    application = decided("a1")
    rating = rate(application, Level.VERY_SATISFIED, reasons=["fast", "friendly"], assistant_level=5)
    assert (rating.office, rating.station, rating.township) == (
        world.centre_a,
        world.station_a1,
        world.township_a,
    )
    assert rating.assistant == world.assistant_a1
    assert rating.item_id == application.item_id
    assert rating.reasons == ["fast", "friendly"]
    assert rating.recorded_by is None and rating.channel == Channel.TRACKING
    assert list(rating.events.values_list("act", flat=True)) == [RatingEvent.Act.RATE]
    assert not rating.rectifications.exists()


def test_the_database_holds_one_rating_per_application(decided, rate):
    rating = rate(decided("a1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            application=rating.application,
            office=rating.office,
            item=rating.item,
            station=rating.station,
            township=rating.township,
            assistant=rating.assistant,
            level=5,
            channel=Channel.TRACKING,
            rated_at=timezone.now(),
            first_rated_at=timezone.now(),
            decided_at=timezone.now(),
        )


def test_a_changed_mind_within_the_window_replaces_the_level_and_keeps_both_in_the_history(decided, rate):
    application = decided("a1")
    rate(application, Level.FAIRLY_SATISFIED, comment="还行")
    rating = rate(application, Level.VERY_SATISFIED, comment="后来想想很好")
    assert Rating.objects.filter(application=application).count() == 1
    assert (rating.level, rating.comment, rating.changes) == (5, "后来想想很好", 1)
    change = rating.events.get(act=RatingEvent.Act.CHANGE)
    assert change.data["before"]["level"] == 3 and change.data["before"]["comment"] == "还行"
    assert change.data["after"]["level"] == 5
    assert (change.from_state, change.to_state) == ("3", "5")


def test_after_the_window_the_rating_stands(decided, rate):
    application = decided("a1")
    rating = rate(application, Level.SATISFIED)
    later = rating.first_rated_at + datetime.timedelta(
        hours=QualitySettings.current().change_window_hours, minutes=1
    )
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(DomainError, match="One rating per application"),
    ):
        rate(application, Level.VERY_DISSATISFIED)
    assert Rating.objects.get(pk=rating.pk).level == Level.SATISFIED


def test_an_open_application_cannot_be_rated(cases, rate):
    with pytest.raises(DomainError, match="once the application is decided"):
        rate(cases.accepted("dibao", "a1"))
    assert not Rating.objects.exists()


def test_a_withdrawn_application_cannot_be_rated(cases, rate, world):
    application = cases.submitted("dibao", "a1")
    application = services.application_withdraw(
        actor=world.assistant_a1, application=application, reason="不办了"
    )
    with pytest.raises(DomainError):
        rate(application)


def test_a_refusal_is_rated_too(decided, rate):
    rating = rate(decided("a1", reject=True), Level.VERY_DISSATISFIED, reasons=["disagree"])
    assert rating.rectifications.get().state == Rectification.State.OPEN


def test_a_certificate_must_be_handed_over_before_the_rating(approve, rate, world):  # noqa: F811
    certificate = approve("dibao", "a1")
    application = certificate.application
    with pytest.raises(DomainError, match="handed over"):
        rate(application)
    certificate_services.application_hand_over(
        actor=world.assistant_a1,
        application=application,
        on=timezone.localdate(),
        how="in_person",
        signature=signature_data_url(),
    )
    assert rate(application).level == Level.SATISFIED


def test_the_assistant_records_a_rating_for_the_villager_marked_as_such(decided, rate, world):
    rating = rate(decided("a1"), Level.SATISFIED, channel=Channel.PAPER, actor=world.assistant_a1)
    assert rating.recorded_by == world.assistant_a1 and rating.channel == Channel.PAPER
    assert rating.events.get().actor == world.assistant_a1


@pytest.mark.parametrize("person", ["assistant_b1", "clerk_a", "supervisor_a", "county_admin", "outsider"])
def test_nobody_but_the_station_s_assistant_records_for_the_villager(decided, rate, world, person):
    with pytest.raises(NotPermitted):
        rate(decided("a1"), channel=Channel.ASSISTANT, actor=getattr(world, person))


def test_staff_cannot_rate_as_the_villager(decided, rate, world):
    with pytest.raises(NotPermitted):
        rate(decided("a1"), channel=Channel.TRACKING, actor=world.clerk_a)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": 0}, "five levels"),
        ({"level": "x"}, "five levels"),
        ({"level": 6}, "five levels"),
        ({"reasons": ["bribe"]}, "from the list"),
        ({"comment": "长" * 501}, "500"),
        ({"assistant_level": 9}, "five levels"),
        ({"channel": "sms"}, "how the rating"),
    ],
)
def test_bad_input_is_refused_with_a_message(decided, rate, fields, message):
    application = decided("a1")
    arguments = {"level": Level.SATISFIED, **fields}
    with pytest.raises(DomainError, match=message):
        rate(application, **arguments)
    assert not Rating.objects.exists()


def test_a_bad_rating_opens_a_rectification_due_in_15_working_days(decided, rate, world):
    application = decided("a1")
    with time_machine.travel(
        datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC), tick=False
    ):  # a Friday
        rating = rate(application, Level.VERY_DISSATISFIED)
    rectification = rating.rectifications.get()
    assert rectification.office == world.centre_a
    assert rectification.state == Rectification.State.OPEN
    assert rectification.due_on == datetime.date(2026, 12, 25)  # three weeks of working days
    opened = rating.events.get(act=RatingEvent.Act.OPEN)
    assert opened.data == {"due_on": "2026-12-25", "working_days": 15}


def test_the_rectification_period_skips_holidays_and_follows_the_county_s_setting(decided, rate, world):
    from tests.workdays.factories import CalendarDayFactory, CalendarYearFactory

    year = CalendarYearFactory(year=2026, confirmed=True)
    CalendarDayFactory(date=datetime.date(2026, 12, 9), year=year, name="测试假日")
    rating_services.quality_settings_save(
        actor=world.county_admin, rectification_days=5, change_window_hours=24
    )
    with time_machine.travel(datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC), tick=False):
        rating = rate(decided("a1"), Level.DISSATISFIED)
    # Mon 7, Tue 8, (Wed 9 off), Thu 10, Fri 11, Mon 14
    assert rating.rectifications.get().due_on == datetime.date(2026, 12, 14)


def test_only_a_county_administrator_sets_the_rules(world):
    for person in ("township_admin_a", "supervisor_a", "clerk_a"):
        with pytest.raises(NotPermitted):
            rating_services.quality_settings_save(
                actor=getattr(world, person), rectification_days=5, change_window_hours=1
            )
    with pytest.raises(DomainError, match="1 to 60"):
        rating_services.quality_settings_save(
            actor=world.county_admin, rectification_days=0, change_window_hours=1
        )
    assert QualitySettings.current().rectification_days == 15


def test_changing_a_bad_rating_to_a_good_one_cancels_its_rectification(decided, rate):
    application = decided("a1")
    rate(application, Level.DISSATISFIED)
    rating = rate(application, Level.SATISFIED)
    rectification = rating.rectifications.get()
    assert rectification.state == Rectification.State.CANCELLED
    assert "changed the rating" in rectification.closed_reason
    assert list(rating.events.values_list("act", flat=True)) == [
        RatingEvent.Act.RATE,
        RatingEvent.Act.OPEN,
        RatingEvent.Act.CHANGE,
        RatingEvent.Act.CANCEL,
    ]


def test_changing_a_good_rating_to_a_bad_one_opens_a_rectification_once(decided, rate):
    application = decided("a1")
    rate(application, Level.SATISFIED)
    rate(application, Level.DISSATISFIED)
    rating = rate(application, Level.VERY_DISSATISFIED)
    assert rating.rectifications.filter(state=Rectification.State.OPEN).count() == 1


def test_rating_events_are_append_only(decided, rate):
    from django.core.exceptions import ValidationError

    event = rate(decided("a1")).events.get()
    event.comment = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
