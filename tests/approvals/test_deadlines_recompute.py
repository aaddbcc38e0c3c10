"""Counting the deadlines again after the work calendar changed is a step like any other: it goes
through the workflow machine (`portal.workflow`), so the application is locked, gets a new
version and a DEADLINE_MOVED event, and a clerk's form opened before the recount is refused as
stale instead of deciding on a due date that is no longer the one they saw."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from approvals import services
from approvals.reminders import deadlines_recompute
from approvals.states import Act, State
from portal.outbox.models import OutboxMessage
from portal.workdays.services import calendar_year_confirm
from tests.approvals.test_deadlines import at
from tests.approvals.test_deadlines_provisional import (  # noqa: F401 (fixtures)
    accepted_on_december_7,
    confirmed_2026,
    draft_2027,
    english,
)

pytestmark = pytest.mark.django_db
D = datetime.date
STALE = "has changed since you opened it (someone else acted on it)"


@pytest.fixture
def recounted(cases, world, confirmed_2026, draft_2027):  # noqa: F811
    """An application accepted on 12/7 (due 1/5 through the 2027 draft), the version its clerk's
    page was opened at, and the same application after confirming 2027 moved its date to 1/6."""
    application = accepted_on_december_7(cases, world)
    opened_at = application.version
    with at(D(2026, 12, 9)):
        calendar_year_confirm(actor=world.county_admin, year=draft_2027)
    application.refresh_from_db()
    return application, opened_at


def test_a_recount_bumps_the_version_and_writes_one_event(recounted, world):
    application, opened_at = recounted
    assert application.due_on == D(2027, 1, 6)
    assert application.version == opened_at + 1
    event = application.events.get(act=Act.DEADLINE_MOVED)
    assert (event.from_state, event.to_state) == (State.ACCEPTED, State.ACCEPTED)


def test_a_second_recount_moves_nothing_and_tells_nobody(recounted):
    application, _opened_at = recounted
    OutboxMessage.objects.all().delete()
    with at(D(2026, 12, 10)):
        assert deadlines_recompute() == 0
    version = application.version
    application.refresh_from_db()
    assert application.version == version
    assert application.events.filter(act=Act.DEADLINE_MOVED).count() == 1
    assert not OutboxMessage.objects.exists()


def test_a_service_call_with_the_version_from_before_the_recount_is_refused(recounted, world):
    application, opened_at = recounted
    with (
        at(D(2026, 12, 10)),
        translation.override("en"),
        pytest.raises(services.ApplicationChanged, match=re.escape(STALE)),
    ):
        services.application_assign(
            actor=world.supervisor_a, application=application, expected_version=opened_at
        )
    with at(D(2026, 12, 10)):
        services.application_assign(
            actor=world.supervisor_a, application=application, expected_version=application.version
        )


def test_a_stale_form_after_the_recount_is_told_it_changed(recounted, world, english):  # noqa: F811
    application, opened_at = recounted
    with at(D(2026, 12, 10)):
        english.force_login(world.clerk_a)
        response = english.post(
            reverse("approvals:act", args=[application.pk, Act.APPROVE]), {"version": opened_at}
        )
    assert response.status_code == 400
    assert STALE in response.content.decode()
    unchanged = type(application).objects.get(pk=application.pk)
    assert (unchanged.state, unchanged.version) == (State.ACCEPTED, application.version)
