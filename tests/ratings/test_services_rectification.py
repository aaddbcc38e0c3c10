"""Working a bad rating: the office's supervisor answers it by the date, the county (never the
rated office) revisits the villager, and a malicious or mistaken rating may be appealed to the county."""

import datetime

import pytest
import time_machine

from portal.errors import DomainError, NotPermitted
from portal.outbox.models import OutboxMessage
from portal.people.roles import Role
from portal.people.services import membership_create
from ratings import figures
from ratings import services as rating_services
from ratings.models import Level, Rating, RatingAppeal, RatingEvent, Rectification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANSWER = "已约谈窗口人员，当面向村民道歉并说明办理时限。"


def _answer(rectification, who):
    return rating_services.rectification_answer(actor=who, rectification=rectification, answer=ANSWER)


def test_opening_tells_the_office_s_supervisor(bad, world):
    message = OutboxMessage.objects.get(to_user=world.supervisor_a, topic="rectification-opened")
    assert bad.rating.application.number in message.body


@pytest.mark.parametrize(
    "person", ["clerk_a", "assistant_a1", "clerk_b", "officer_d1", "county_admin", "outsider"]
)
def test_only_the_supervisor_answers(bad, world, person):
    with pytest.raises(NotPermitted):
        _answer(bad, getattr(world, person))
    assert Rectification.objects.get(pk=bad.pk).state == Rectification.State.OPEN


def test_an_answer_by_the_date_is_on_time_and_an_event(bad, world):
    rectification = _answer(bad, world.supervisor_a)
    assert rectification.state == Rectification.State.ANSWERED
    assert rectification.answered_on_time is True
    event = rectification.events.get(act=RatingEvent.Act.ANSWER)
    assert (event.actor, event.actor_office, event.comment) == (world.supervisor_a, world.centre_a, ANSWER)
    assert (event.from_state, event.to_state) == ("open", "answered")


def test_a_late_answer_is_recorded_as_late(bad, world):
    late = datetime.datetime.combine(
        bad.due_on + datetime.timedelta(days=1), datetime.time(10), tzinfo=datetime.UTC
    )
    with time_machine.travel(late, tick=False):
        assert _answer(bad, world.supervisor_a).answered_on_time is False


def test_a_one_word_answer_is_refused(bad, world):
    with pytest.raises(DomainError, match="at least 10"):
        rating_services.rectification_answer(actor=world.supervisor_a, rectification=bad, answer="已处理")


def test_a_second_answer_is_told_it_was_done_already(bad, world):
    _answer(bad, world.supervisor_a)
    with pytest.raises(DomainError, match="已被处理"):
        _answer(bad, world.supervisor_a)


def test_the_revisit_follows_the_answer(bad, world):
    with pytest.raises(DomainError, match="Answer the rectification first"):
        rating_services.rectification_revisit(actor=world.county_admin, rectification=bad, satisfied=True)
    _answer(bad, world.supervisor_a)
    rectification = rating_services.rectification_revisit(
        actor=world.county_admin, rectification=bad, satisfied=True, note="村民表示满意"
    )
    assert rectification.state == Rectification.State.REVISITED
    assert rectification.revisit_satisfied is True and rectification.revisited_by == world.county_admin
    event = rectification.events.get(act=RatingEvent.Act.REVISIT)
    assert event.data == {"satisfied": True} and event.actor_role == "county"


@pytest.mark.parametrize(
    "person", ["supervisor_a", "clerk_a", "township_admin_a", "assistant_a1", "clerk_b", "officer_d1"]
)
def test_the_rated_centre_never_revisits_its_own_case(bad, world, person):
    """Issue 18, gap 10: the supervisor of the rated centre recorded the revisit of their own case."""
    _answer(bad, world.supervisor_a)
    with pytest.raises(NotPermitted, match="never by the rated office"):
        rating_services.rectification_revisit(actor=getattr(world, person), rectification=bad, satisfied=True)
    assert Rectification.objects.get(pk=bad.pk).state == Rectification.State.ANSWERED


def test_the_county_s_revisit_office_records_it(bad, world):

    caller = UserFactory(username="caller_ds", name="caller_ds")
    membership_create(actor=None, user=caller, office=world.ds, role=Role.COUNTY_OFFICER)
    rating_services.quality_settings_save(
        actor=world.county_admin, rectification_days=15, change_window_hours=72, revisit_office=world.ds
    )
    _answer(bad, world.supervisor_a)
    with pytest.raises(NotPermitted, match="区政务服务办"):
        rating_services.rectification_revisit(actor=world.supervisor_a, rectification=bad, satisfied=True)
    rectification = rating_services.rectification_revisit(actor=caller, rectification=bad, satisfied=False)
    assert rectification.state == Rectification.State.REVISITED and rectification.revisited_by == caller
    assert rectification.events.get(act=RatingEvent.Act.REVISIT).actor_office == world.ds


def test_only_a_county_department_the_administrator_manages_is_named(bad, world):
    with pytest.raises(DomainError, match="county office"):
        rating_services.quality_settings_save(
            actor=world.county_admin,
            rectification_days=15,
            change_window_hours=72,
            revisit_office=world.centre_a,
        )


def test_at_a_county_department_its_officers_answer(decided, rate, world):
    rating = rate(decided("a1", "relief"), Level.VERY_DISSATISFIED)
    rectification = rating.rectifications.get()
    assert rectification.office == world.d1
    assert _answer(rectification, world.officer_d1).state == Rectification.State.ANSWERED


# -- appeals --------------------------------------------------------------------------------------

REASON = "村民因不符合条件被告知后恶意差评，录音可证。"


def _appeal(bad, world) -> RatingAppeal:
    return rating_services.appeal_file(actor=world.supervisor_a, rating=bad.rating, reason=REASON)


def test_the_supervisor_appeals_once(bad, world):
    appeal = _appeal(bad, world)
    assert appeal.outcome == RatingAppeal.Outcome.PENDING and appeal.office == world.centre_a
    with pytest.raises(DomainError, match="one appeal per rating"):
        _appeal(bad, world)
    with pytest.raises(NotPermitted):
        rating_services.appeal_file(actor=world.clerk_a, rating=bad.rating, reason=REASON)


def test_a_good_rating_cannot_be_appealed(decided, rate, world):
    rating = rate(decided("a1"), Level.SATISFIED)
    with pytest.raises(DomainError, match="Only a bad rating"):
        rating_services.appeal_file(actor=world.supervisor_a, rating=rating, reason=REASON)


def test_an_appealed_rating_can_no_longer_be_changed_by_the_villager(bad, world, rate):
    _appeal(bad, world)
    with pytest.raises(DomainError, match="under appeal"):
        rate(bad.rating.application, Level.SATISFIED)


@pytest.mark.parametrize("person", ["township_admin_a", "supervisor_a", "officer_d1", "clerk_a", "outsider"])
def test_only_the_county_administrator_decides(bad, world, person):
    appeal = _appeal(bad, world)
    with pytest.raises(NotPermitted):
        rating_services.appeal_decide(
            actor=getattr(world, person), appeal=appeal, set_aside=True, reason="理由充分"
        )


def test_upholding_keeps_the_rating_and_the_rectification(bad, world):
    appeal = rating_services.appeal_decide(
        actor=world.county_admin, appeal=_appeal(bad, world), set_aside=False, reason="证据不足，维持差评"
    )
    assert appeal.outcome == RatingAppeal.Outcome.UPHELD
    assert Rectification.objects.get(pk=bad.pk).state == Rectification.State.OPEN
    assert Rating.objects.get(pk=bad.rating_id).set_aside_at is None
    event = bad.rating.events.get(act=RatingEvent.Act.UPHOLD)
    assert (event.actor, event.comment) == (world.county_admin, "证据不足，维持差评")
    with pytest.raises(DomainError, match="decided already"):
        rating_services.appeal_decide(
            actor=world.county_admin, appeal=appeal, set_aside=True, reason="改判理由"
        )


def test_setting_aside_cancels_the_rectification_and_leaves_the_figures_but_not_the_history(bad, world):
    before = figures.for_offices([world.centre_a])["offices"][0]
    assert (before.ratings, before.bad, before.rectifications) == (1, 1, 1)
    rating_services.appeal_decide(
        actor=world.county_admin, appeal=_appeal(bad, world), set_aside=True, reason="录音证实系恶意差评"
    )
    rating = Rating.objects.get(pk=bad.rating_id)
    assert rating.set_aside_at is not None and rating.level == Level.DISSATISFIED
    assert Rectification.objects.get(pk=bad.pk).state == Rectification.State.CANCELLED
    assert list(rating.events.values_list("act", flat=True)) == [
        RatingEvent.Act.RATE,
        RatingEvent.Act.OPEN,
        RatingEvent.Act.APPEAL,
        RatingEvent.Act.SET_ASIDE,
        RatingEvent.Act.CANCEL,
    ]
    assert figures.for_offices([world.centre_a])["offices"] == []


# -- the overdue sweep ----------------------------------------------------------------------------


def test_an_overdue_rectification_is_reminded_once(bad, world):
    after = bad.due_on + datetime.timedelta(days=1)
    assert rating_services.rectifications_sweep(today=after) == 1
    assert rating_services.rectifications_sweep(today=after) == 0
    assert (
        OutboxMessage.objects.filter(to_user=world.supervisor_a, topic="rectification-overdue").count() == 1
    )
    assert bad.events.filter(act=RatingEvent.Act.REMIND).count() == 1


def test_the_sweep_leaves_rectifications_on_time_and_answered_ones(bad, world, decided, rate):
    assert rating_services.rectifications_sweep(today=bad.due_on) == 0
    _answer(bad, world.supervisor_a)
    assert rating_services.rectifications_sweep(today=bad.due_on + datetime.timedelta(days=30)) == 0


def test_the_hourly_deadline_sweep_runs_it(bad):
    from approvals.reminders import deadlines_sweep

    report = deadlines_sweep(today=bad.due_on + datetime.timedelta(days=1))
    assert report.rectifications_overdue == 1


@pytest.mark.postgres
def test_a_step_locks_the_rating_before_the_rectification(bad, world):
    """The order every writer of both keeps (rating_submit and appeal_decide lock the rating
    first): the other order could deadlock against a villager changing the rating."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _answer(bad, world.supervisor_a)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [
        ("ratings_rating" if '"ratings_rating"' in sql.split("FROM")[1][:40] else "other") for sql in locks
    ]
    assert tables[0] == "ratings_rating", locks
    assert any('FROM "ratings_rectification"' in sql for sql in locks[1:]), locks
