"""Deadlines on the work calendar: holidays, 调休 weekends, the paused clock, deemed acceptance,
broken 容缺 promises, a newly announced holiday, and reminders sent once per state."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from approvals import services
from approvals.models import Application
from approvals.reminders import deadlines_sweep
from approvals.services import MissingItem
from approvals.states import Act, State
from portal.outbox.models import OutboxMessage
from portal.workdays.models import CalendarDay, CalendarYear
from tests.approvals.conftest import png_upload

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour)), tick=False
    )


@pytest.fixture
def calendar_2026(db):
    """国庆 2026: 10/1–10/7 rest (weekdays 1, 2, 5, 6, 7); Sunday 9/20 and Saturday 10/10 worked."""
    year = CalendarYear.objects.create(year=2026, status=CalendarYear.Status.CONFIRMED)
    for day in (1, 2, 5, 6, 7):
        CalendarDay.objects.create(year=year, date=D(2026, 10, day), is_workday=False, name="国庆节")
    CalendarDay.objects.create(year=year, date=D(2026, 9, 20), is_workday=True, name="国庆节调休")
    CalendarDay.objects.create(year=year, date=D(2026, 10, 10), is_workday=True, name="国庆节调休")
    return year


def test_acceptance_window_counts_a_worked_sunday(cases, calendar_2026):
    with at(D(2026, 9, 18)):  # a Friday
        application = cases.submitted()
    assert application.received_on == D(2026, 9, 18)
    assert application.accept_by == D(2026, 9, 24)  # Sun 9/20 (worked), 21, 22, 23, 24


def test_due_date_skips_the_holiday_and_counts_the_worked_saturday(cases, world, calendar_2026, items):
    items["dibao"].promised_limit_days = 5
    items["dibao"].save()
    with at(D(2026, 9, 28)):  # a Monday
        application = cases.submitted()
        application = services.application_accept(actor=world.clerk_a, application=application)
    assert application.due_on == D(2026, 10, 10)  # 9/29, 9/30, 10/8, 10/9, Sat 10/10
    from approvals import deadlines

    calendar = deadlines.calendar_around(D(2026, 9, 28))
    with at(D(2026, 9, 28)):
        deadline = deadlines.deadline_of(application, D(2026, 9, 28), calendar, with_skipped=True)
    assert [day.name for day in deadline.skipped] == ["国庆节"] * 5
    assert deadline.days_left == 5


def test_special_procedure_pauses_the_clock(cases, world, calendar_2026):
    with at(D(2026, 11, 2)):  # Monday
        application = cases.accepted(item="housing")
    assert application.due_on == D(2026, 11, 30)  # 20 working days
    with at(D(2026, 11, 4)):
        services.application_pause(actor=world.clerk_a, application=application, procedure="公示")
    with at(D(2026, 11, 11)):
        application = services.application_resume(actor=world.clerk_a, application=application)
    assert application.paused_days == 5
    assert application.due_on == D(2026, 12, 7)
    with pytest.raises(services.DomainError):
        services.application_pause(actor=world.clerk_a, application=application, procedure="听证")


def test_deciding_during_a_special_procedure_is_refused(cases, world, calendar_2026):
    application = cases.accepted(item="housing")
    services.application_pause(actor=world.clerk_a, application=application, procedure="公示")
    services.application_review(actor=world.clerk_a, application=application, comment="公示中")
    with pytest.raises(services.DomainError):
        services.application_approve(actor=world.supervisor_a, application=application)


def test_time_with_the_assistant_after_a_return_does_not_count(cases, world, calendar_2026):
    with at(D(2026, 11, 2)):
        application = cases.submitted()
        material = application.item.materials.first()
        services.application_return(
            actor=world.clerk_a, application=application, items=[MissingItem(material, "不清晰")]
        )
    with at(D(2026, 11, 16)):  # two weeks later: past the first acceptance window
        assert deadlines_sweep().deemed_accepted == 0
        services.file_attach(
            actor=world.assistant_a1,
            application=application,
            kind="material",
            material=material,
            uploaded=png_upload(),
        )
        application = services.application_resubmit(actor=world.assistant_a1, application=application)
    assert application.received_on == D(2026, 11, 16)
    assert application.accept_by == D(2026, 11, 23)


def test_no_answer_within_five_working_days_counts_as_accepted_from_submission(cases, calendar_2026):
    with at(D(2026, 11, 2)):
        application = cases.submitted()
    assert application.accept_by == D(2026, 11, 9)
    with at(D(2026, 11, 9)):
        assert deadlines_sweep().deemed_accepted == 0  # the last day is still the centre's
    with at(D(2026, 11, 10)):
        report = deadlines_sweep()
        assert deadlines_sweep().deemed_accepted == 0  # once
    assert report.deemed_accepted == 1
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    assert application.accepted_on == D(2026, 11, 2)
    assert application.due_on == D(2026, 11, 30)
    event = application.events.get(act=Act.DEEM_ACCEPTED)
    assert event.actor is None and event.actor_role == "system"


def test_a_broken_promise_terminates_the_case(cases, world, calendar_2026):
    with at(D(2026, 11, 2)):
        application = cases.submitted()
        optional = application.item.materials.get(may_be_missing=True)
        services.application_accept_with_promise(
            actor=world.clerk_a,
            application=application,
            items=[MissingItem(optional, "原件未带", due_on=D(2026, 11, 6))],
            promise_file=png_upload("承诺书.png"),
        )
    with at(D(2026, 11, 6)):
        assert deadlines_sweep().terminated == 0
    with at(D(2026, 11, 9)):
        assert deadlines_sweep().terminated == 1
    application.refresh_from_db()
    assert application.state == State.TERMINATED
    assert "原件未带" not in application.events.get(act=Act.TERMINATE).comment
    assert optional.name in application.events.get(act=Act.TERMINATE).comment


def test_a_promise_date_after_the_due_date_is_refused(cases, world, calendar_2026):
    with at(D(2026, 11, 2)):
        application = cases.submitted()
        optional = application.item.materials.get(may_be_missing=True)
        with pytest.raises(services.DomainError):
            services.application_accept_with_promise(
                actor=world.clerk_a,
                application=application,
                items=[MissingItem(optional, "原件未带", due_on=D(2026, 12, 31))],
                promise_file=png_upload("承诺书.png"),
            )
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_a_newly_announced_holiday_moves_open_deadlines(
    cases, world, calendar_2026, django_capture_on_commit_callbacks
):
    with at(D(2026, 11, 2)):
        open_one = cases.accepted()
        decided = cases.accepted()
        services.application_approve(actor=world.clerk_a, application=decided)
    assert open_one.due_on == D(2026, 11, 30)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(
            year=calendar_2026, date=D(2026, 11, 20), is_workday=False, name="临时休假"
        )
    open_one.refresh_from_db()
    decided.refresh_from_db()
    assert open_one.due_on == D(2026, 12, 1)
    assert decided.due_on == D(2026, 11, 30)
    moved = open_one.events.get(act=Act.DEADLINE_MOVED)
    assert moved.data["due_on"] == {"from": "2026-11-30", "to": "2026-12-01"}


def test_reminders_are_sent_once_per_state(cases, world, calendar_2026):
    with at(D(2026, 11, 2)):
        application = cases.accepted()
    OutboxMessage.objects.all().delete()
    with at(D(2026, 11, 26)):  # 2 working days left
        assert deadlines_sweep().due_soon == 1
        assert deadlines_sweep().due_soon == 0
    application.refresh_from_db()
    assert application.alert == "due_soon"
    recipients = set(
        OutboxMessage.objects.filter(topic="due_soon").values_list("to_user__username", flat=True)
    )
    assert recipients == {"clerk_a", "supervisor_a"}
    with at(D(2026, 12, 1)):
        assert deadlines_sweep().overdue == 1
        assert deadlines_sweep().overdue == 0
    assert OutboxMessage.objects.filter(topic="overdue").count() == 2
    assert Application.objects.get(pk=application.pk).alert == "overdue"
