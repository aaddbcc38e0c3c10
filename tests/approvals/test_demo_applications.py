"""`make demo`'s applications: every state, real work for each demo login, dates that make sense,
and a second load that adds nothing.

Loading the demo takes a while, so one test loads it and checks everything, then tells the
cases again (tests/test_demo.py runs the whole `load_demo` twice).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from approvals import selectors, services
from approvals.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationSequence,
    Notice,
    NoticeItem,
)
from approvals.states import Act, State
from portal.demo.applications import CASES, case_token, load_demo_applications
from portal.outbox.models import OutboxMessage
from portal.people.models import Resident, User

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


def acts_for(user: User, applications) -> set[str]:
    return {step.act for application in applications for step in selectors.steps_for(user, application)}


def check_every_state_is_there() -> None:
    demo = Application.objects.filter(client_token__in=[case_token(case.key) for case in CASES])
    assert demo.count() == len(CASES)
    assert set(demo.values_list("state", flat=True)) == set(State.values)
    returned = demo.get(state=State.RETURNED)
    notice = returned.notices.get(kind=Notice.Kind.SUPPLEMENT, answered_at__isnull=True)
    assert notice.items.count() >= 2  # every missing material at once (一次性告知)
    assert demo.filter(events__act=Act.ACCEPT_WITH_PROMISE, state=State.ACCEPTED).exists()  # 容缺
    for rejected in demo.filter(state=State.REJECTED):
        assert rejected.decision_reason and rejected.decision_basis
    assert demo.filter(state=State.FORWARDED, current_office__kind="department").exists()
    assert demo.filter(state=State.ACCEPTED, paused_since__isnull=False).exists()
    assert demo.filter(events__act=Act.RESUBMIT).exists()
    assert demo.filter(events__act=Act.SUPPLY).exists()
    assert demo.values("village__parent").distinct().count() == 4  # every demo township


def check_dates_are_consistent() -> None:
    now = timezone.now()
    today = timezone.localdate()
    for application in Application.objects.prefetch_related("events", "files"):
        events = list(application.events.all())
        by_time = sorted(events, key=lambda event: (event.at, event.pk))
        assert [e.pk for e in by_time] == sorted(e.pk for e in events), application  # time runs forward
        assert all(event.at < now for event in events)
        assert all(file.uploaded_at < now for file in application.files.all())
        assert application.created_at == events[0].at  # the draft's first event
        if application.number:
            submitted = timezone.localdate(application.submitted_at)
            assert application.number.split("-")[1] == f"{submitted:%y%m%d}"
        if application.state == State.SUBMITTED:
            # Windows close soon, but none has closed: the sweep would have deemed it accepted.
            assert application.accept_by >= today
        if application.state != State.DRAFT and application.number:
            assert services.missing_for_submission(application) == []


def check_each_login_has_work() -> None:
    today = timezone.localdate()
    clerk, supervisor, officer, assistant = (
        User.objects.get(username=name)
        for name in ("demo_clerk", "demo_supervisor", "demo_officer", "demo_assistant")
    )

    inbox = list(selectors.inbox_for(clerk))
    assert {State.SUBMITTED, State.ACCEPTED} <= {a.state for a in inbox}
    colours = {
        row.deadline.colour for row in selectors.rows_with_deadlines(inbox, today=today) if row.deadline
    }
    assert {"soon", "overdue", "ok"} <= colours  # amber and red in the inbox
    closing = [
        row
        for row in selectors.rows_with_deadlines(inbox, today=today)
        if row.deadline and row.deadline.kind == "accept" and row.deadline.days_left <= 2
    ]
    assert closing  # an acceptance window nearly expired
    assert {Act.ACCEPT, Act.RETURN, Act.REVIEW} <= acts_for(clerk, inbox)

    inbox = list(selectors.inbox_for(supervisor))
    assert State.REVIEWED in {a.state for a in inbox}
    assert Act.APPROVE in acts_for(supervisor, [a for a in inbox if a.state == State.REVIEWED])
    assert selectors.overdue_for(supervisor).exists()

    inbox = list(selectors.inbox_for(officer))
    assert State.FORWARDED in {a.state for a in inbox}
    assert any(a.state == State.SUBMITTED and a.current_office.kind == "department" for a in inbox)
    assert {Act.ACCEPT, Act.APPROVE} <= acts_for(officer, inbox)

    mine = list(selectors.station_applications_for(assistant))
    states = {a.state for a in mine}
    assert {State.DRAFT, State.RETURNED, State.SUBMITTED, State.ACCEPTED, State.APPROVED} <= states
    assert Act.RESUBMIT in acts_for(assistant, [a for a in mine if a.state == State.RETURNED])


def check_certificates() -> None:
    """Issued on approval, one revoked and reissued, handed over, checked online; every
    certificate dated when its approval happened, and each approved case has its paper."""
    from approvals.certificates.models import Certificate, CertificateCheck

    approved = Application.objects.filter(state=State.APPROVED).select_related("item")
    for application in approved:
        issued = list(application.certificates.all())
        assert bool(issued) == bool(application.item.certificate_name), application
        for certificate in issued:
            assert certificate.issued_at < timezone.now()
            assert certificate.issued_on >= timezone.localdate(application.decided_at)
    revoked = Certificate.objects.get(revoked_at__isnull=False)
    assert revoked.replaced_by.handed_over_on is not None
    assert Certificate.objects.filter(handed_over_on__isnull=False).count() == 2
    assert CertificateCheck.objects.filter(outcome="valid").count() == 3
    assert Certificate.objects.filter(issuing_office__kind="department").exists()
    assert Certificate.objects.exclude(entrusting_name="").exists()


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_applications_cover_every_state_and_load_once():
    call_command("load_demo", stdout=StringIO())
    check_every_state_is_there()
    check_dates_are_consistent()
    check_each_login_has_work()
    check_certificates()
    assert OutboxMessage.objects.exclude(status="pending").count() == 0  # messages wait in the outbox

    first = counts()
    lines = []
    assert load_demo_applications(progress=lines.append) == 0
    assert counts() == first
    assert "already loaded" in lines[0]
