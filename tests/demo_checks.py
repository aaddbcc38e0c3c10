"""What the demo promises (README.md), as checks on a loaded demo at whatever "today" is.

The demo tests of each app and the date sweep (tests/test_demo_dates.py) call the same
functions, so a promise is written once: applications in every state with work waiting for each
login, some due soon and some overdue; certificates issued on approval, one revoked and
reissued, two handed over, some checked online; ratings of every level with rectifications in
each state and two appeals; ledger items in each state in every village.
"""

from collections.abc import Collection

from django.utils import timezone

from approvals import selectors as application_selectors
from approvals import services as application_services
from approvals.models import Application, ApplicationFile, Notice
from approvals.states import Act, State
from ledger import selectors as ledger_selectors
from ledger.models import LedgerEvent, LedgerItem
from ledger.states import Act as LedgerAct
from ledger.states import State as LedgerState
from portal.demo.applications import CASES, case_token
from portal.people.models import User
from portal.places.models import Region, RegionLevel

# -- applications ------------------------------------------------------------------------------


def offers_every(steps_for, user: User, objects, acts) -> bool:
    """Do `objects` together offer `user` every one of `acts` (buttons on their pages)? Stops
    as soon as they do: each `steps_for` costs a few permission queries."""
    missing = set(acts)
    for obj in objects:
        missing -= {step.act for step in steps_for(user, obj)}
        if not missing:
            return True
    return not missing


def offers(user: User, applications, acts) -> bool:
    return offers_every(application_selectors.steps_for, user, applications, acts)


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
    # 网上申请: started by the villager online, handed in, taken by the assistant, submitted.
    online = demo.get(origin=Application.Origin.VILLAGER_ONLINE)
    assert online.filed_by is not None and online.number
    assert {Act.START_ONLINE, Act.HAND_IN, Act.TAKE} <= set(online.events.values_list("act", flat=True))


def check_application_dates_are_consistent() -> None:
    now = timezone.now()
    today = timezone.localdate()
    for application in Application.objects.prefetch_related("events", "files", "notices"):
        events = list(application.events.all())
        by_time = sorted(events, key=lambda event: (event.at, event.pk))
        assert [e.pk for e in by_time] == sorted(e.pk for e in events), application  # time runs forward
        assert all(event.at < now for event in events)
        # Files and notices are dated when their step happened, not when the demo was loaded.
        last = max(event.at for event in events)
        assert all(file.uploaded_at <= last for file in application.files.all()), application
        assert all(notice.issued_at <= last for notice in application.notices.all()), application
        assert application.state_changed_at <= last, application
        assert application.created_at == events[0].at  # the draft's first event
        if application.number:
            submitted = timezone.localdate(application.submitted_at)
            assert application.number.split("-")[1] == f"{submitted:%y%m%d}"
        if application.state == State.SUBMITTED:
            # Windows close soon, but none has closed: the sweep would have deemed it accepted.
            assert application.accept_by >= today
        if application.state != State.DRAFT and application.number:
            assert application_services.missing_for_submission(application) == []


def check_each_login_has_applications_to_handle() -> None:
    today = timezone.localdate()
    clerk, supervisor, officer, assistant = (
        User.objects.get(username=name)
        for name in ("demo_clerk", "demo_supervisor", "demo_officer", "demo_assistant")
    )

    inbox = list(application_selectors.inbox_for(clerk))
    assert {State.SUBMITTED, State.ACCEPTED} <= {a.state for a in inbox}
    rows = application_selectors.rows_with_deadlines(inbox, today=today)
    colours = {row.deadline.colour for row in rows if row.deadline}
    assert {"soon", "overdue", "ok"} <= colours  # amber and red in the inbox
    closing = [
        row for row in rows if row.deadline and row.deadline.kind == "accept" and row.deadline.days_left <= 2
    ]
    assert closing  # an acceptance window nearly expired
    assert offers(clerk, inbox, {Act.ACCEPT, Act.RETURN, Act.REVIEW})

    inbox = list(application_selectors.inbox_for(supervisor))
    assert State.REVIEWED in {a.state for a in inbox}
    assert offers(supervisor, [a for a in inbox if a.state == State.REVIEWED], {Act.APPROVE})
    assert application_selectors.overdue_for(supervisor).exists()

    inbox = list(application_selectors.inbox_for(officer))
    assert State.FORWARDED in {a.state for a in inbox}
    assert any(a.state == State.SUBMITTED and a.current_office.kind == "department" for a in inbox)
    assert offers(officer, inbox, {Act.ACCEPT, Act.APPROVE})

    mine = list(application_selectors.station_applications_for(assistant))
    states = {a.state for a in mine}
    assert {State.DRAFT, State.RETURNED, State.SUBMITTED, State.ACCEPTED, State.APPROVED} <= states
    assert offers(assistant, [a for a in mine if a.state == State.RETURNED], {Act.RESUBMIT})


def check_certificates() -> None:
    """Issued on approval, one revoked and reissued, handed over, checked online; every
    certificate dated when its approval happened, and each approved case has its paper."""
    from certificates.models import Certificate, CertificateCheck

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
    # Each hand-over has its proof of receipt (送达回证), kept privately (issue 18, gap 9).
    assert not Certificate.objects.filter(handed_over_on__isnull=False, handed_over_proof="").exists()
    assert CertificateCheck.objects.filter(outcome="valid").count() == 3
    assert Certificate.objects.filter(issuing_office__kind="department").exists()
    assert Certificate.objects.exclude(entrusting_name="").exists()


def check_applications() -> None:
    check_every_state_is_there()
    check_application_dates_are_consistent()
    check_each_login_has_applications_to_handle()
    check_certificates()
    check_remote_filing()


def check_remote_filing() -> None:
    """网办: one application was done on the villager's own phone (the link, the materials, the
    signed authorisation whose hash still holds) and submitted by the assistant."""
    from online.consent import consent_verify
    from online.models import Consent

    consent = Consent.objects.select_related("application", "file").get()
    application = consent.application
    assert application.number and application.state != "draft"
    phone_files = application.files.filter(origin=ApplicationFile.Origin.VILLAGER_PHONE)
    assert phone_files.filter(kind="consent").get() == consent.file
    assert phone_files.filter(kind="material").count() >= 1
    assert consent_verify(consent)
    acts = list(application.events.values_list("act", flat=True))
    for act in (
        Act.REMOTE_LINK_SENT,
        Act.VILLAGER_UPLOADED,
        Act.VILLAGER_CONSENTED,
        Act.VILLAGER_FINISHED,
        Act.SUBMIT,
    ):
        assert act in acts, act
    assert acts.index(Act.VILLAGER_FINISHED) < acts.index(Act.SUBMIT)


# -- ratings -----------------------------------------------------------------------------------


def check_ratings() -> None:
    """Every level, a rectification in each state, an appeal waiting and one decided, an overdue
    rectification on the supervisor's list; each step after the decision and before now."""
    from ratings import selectors
    from ratings.models import Level, Rating, RatingAppeal, RatingEvent, Rectification

    assert set(Rating.objects.values_list("level", flat=True)) == set(Level.values)
    states = set(Rectification.objects.values_list("state", flat=True))
    assert states == set(Rectification.State.values)
    assert set(RatingAppeal.objects.values_list("outcome", flat=True)) == {"pending", "set_aside"}
    assert Rating.objects.filter(channel__in=["assistant", "paper"], recorded_by__isnull=False).exists()
    assert RatingEvent.objects.filter(act=RatingEvent.Act.CHANGE).exists()

    supervisor = User.objects.get(username="demo_supervisor")
    assert selectors.overdue_rectifications_for(supervisor).exists()
    assert selectors.appeals_for(User.objects.get(username="demo_admin")).count() == 1
    # 回访 is the county's 政务服务 office's, never the rated office's (issue 18, gap 10).
    revisited = Rectification.objects.filter(state=Rectification.State.REVISITED)
    assert revisited.exists()
    assert set(revisited.values_list("revisited_by__username", flat=True)) == {"demo_admin"}
    assert set(
        RatingEvent.objects.filter(act=RatingEvent.Act.REVISIT).values_list(
            "actor_office__short_name", flat=True
        )
    ) == {"区政务服务办"}
    for event in RatingEvent.objects.select_related("rating"):
        assert event.at >= event.rating.decided_at
        assert event.at < timezone.now()
    for rating in Rating.objects.prefetch_related("application__certificates"):
        # A paper is rated once it reached the villager (送达), as the tracking page allows.
        handed_over = [c.handed_over_at for c in rating.application.certificates.all() if c.handed_over_at]
        assert all(at < rating.first_rated_at for at in handed_over), rating


# -- ledger ------------------------------------------------------------------------------------


def check_every_village_has_every_kind_of_ledger_item(village_codes: Collection[str] | None = None) -> None:
    """In every village (or those of `village_codes`, where the ledger was told)."""
    today = timezone.localdate()
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    if village_codes is None:
        assert villages.count() >= 8
    else:
        villages = villages.filter(code__in=village_codes)
        assert villages.count() == len(village_codes)
    for village in villages:
        items = list(LedgerItem.objects.filter(village=village))
        states = {item.state for item in items}
        assert {
            LedgerState.REGISTERED,
            LedgerState.IN_PROGRESS,
            LedgerState.DONE,
            LedgerState.CLOSED,
        } <= states, village
        assert any(item.is_overdue(today) for item in items), village
        assert any(item.state == LedgerState.IN_PROGRESS and not item.is_overdue(today) for item in items), (
            village
        )
    assert LedgerItem.objects.filter(state=LedgerState.CANCELLED).exists()
    assert LedgerItem.objects.filter(reopened_count__gt=0, state=LedgerState.IN_PROGRESS).exists()
    assert (
        LedgerEvent.objects.filter(act=LedgerAct.ASSIGN).exists()
        and LedgerEvent.objects.filter(act=LedgerAct.CLAIM).exists()
    )
    assert LedgerEvent.objects.filter(act=LedgerAct.CONFIRM).exists()
    assert LedgerEvent.objects.filter(act=LedgerAct.RECORD_CONFIRMATION).exists()
    assert LedgerItem.objects.filter(registered_by__isnull=True).exists()  # from the public form
    assert (
        LedgerItem.objects.filter(helper="organisation").exists()
        and LedgerItem.objects.filter(helper="volunteer").exists()
    )


def check_ledger_dates_are_consistent() -> None:
    now = timezone.now()
    for item in LedgerItem.objects.prefetch_related("events"):
        events = list(item.events.all())
        by_time = sorted(events, key=lambda event: (event.at, event.pk))
        assert [e.pk for e in by_time] == sorted(e.pk for e in events), item  # time runs forward
        assert all(event.at < now for event in events)
        assert events[0].act == LedgerAct.REGISTER and events[0].at == item.registered_at
        assert item.number.split("-")[1] == str(timezone.localdate(item.registered_at).year)
        if item.promised_at:
            assert timezone.localdate(item.promised_at) <= item.promised_on


def check_each_login_has_ledger_work() -> None:
    supervisor, clerk, assistant = (
        User.objects.get(username=name) for name in ("demo_supervisor", "demo_clerk", "demo_assistant")
    )
    steps_for = ledger_selectors.steps_for
    supervisor_items = list(ledger_selectors.ledger_list_for(supervisor))
    assert offers_every(
        steps_for, supervisor, supervisor_items, {LedgerAct.ASSIGN, LedgerAct.MARK_DONE, LedgerAct.CANCEL}
    )
    assert ledger_selectors.ledger_list_for(clerk, ledger_selectors.LedgerFilter(mine=True)).exists()
    mine = list(ledger_selectors.ledger_list_for(assistant))
    assert offers_every(
        steps_for,
        assistant,
        mine,
        {LedgerAct.CLAIM, LedgerAct.RECORD_CONFIRMATION, LedgerAct.RECORD_NOT_DONE},
    )


def check_ledger(village_codes: Collection[str] | None = None) -> None:
    check_every_village_has_every_kind_of_ledger_item(village_codes)
    check_ledger_dates_are_consistent()
    check_each_login_has_ledger_work()
