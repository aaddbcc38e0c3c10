"""`make demo`'s applications: every state, real work for each demo login, dates that make sense,
and a second load that adds nothing.

Loading the demo takes a while, so one test loads it and checks everything, then tells the
cases again (tests/test_demo.py runs the whole `load_demo` twice). It runs on a fixed
day (`demo_day`); tests/test_demo_dates.py tells the stories on thirty others.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from approvals.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationSequence,
    Notice,
    NoticeItem,
)
from portal.demo.applications import load_demo_applications
from portal.outbox.models import OutboxMessage
from portal.people.models import Resident
from tests.demo_checks import check_applications

pytestmark = pytest.mark.usefixtures("demo_day")

COUNTED = (
    Application,
    ApplicationEvent,
    ApplicationFile,
    Notice,
    NoticeItem,
    ApplicationSequence,
    OutboxMessage,
    Resident,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_applications_cover_every_state_and_load_once():
    call_command("load_demo", stdout=StringIO())
    check_applications()
    assert OutboxMessage.objects.exclude(status="pending").count() == 0  # messages wait in the outbox

    first = counts()
    lines = []
    assert load_demo_applications(progress=lines.append) == 0
    assert counts() == first
    assert "already loaded" in lines[0]
