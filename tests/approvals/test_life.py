"""The application's life through the services: routing, numbers, each step, who may take it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from approvals import services
from approvals.models import ApplicationEvent, Notice
from approvals.services import MissingItem
from approvals.states import Act, State
from portal.errors import DomainError, NotPermitted
from tests.approvals.conftest import png_upload

pytestmark = pytest.mark.django_db


def acts(application):
    return list(application.events.order_by("at", "pk").values_list("act", flat=True))


def test_submit_routes_by_delegation_and_numbers_the_application(cases, world):
    application = cases.submitted()
    assert application.state == State.SUBMITTED
    assert application.handling_office == world.centre_a
    assert application.current_office == world.centre_a
    assert application.mode == "entrustment"
    assert application.delegation.document_number == "宝坻政发〔2024〕12号"
    assert application.number.startswith("120115121-")
    assert application.number.endswith("-001")
    assert application.accept_by > application.received_on
    assert acts(application) == [Act.CREATE, Act.SUBMIT]


def test_second_submission_of_the_same_draft_changes_nothing(cases, world):
    application = cases.submitted()
    again, submitted = services.application_submit(actor=world.assistant_a1, application=application)
    assert submitted is False
    assert again.number == application.number
    assert acts(application).count(Act.SUBMIT) == 1


def test_not_delegated_item_goes_to_the_department(cases, world):
    application = cases.submitted(item="relief")
    assert application.handling_office == world.d1
    assert application.delegation is None
    assert application.mode == ""


def test_later_delegation_changes_never_move_routed_work(cases, world):
    from services_catalog.models import Delegation

    application = cases.submitted()
    Delegation.objects.update(revoked_on=datetime.date(2000, 1, 1))
    application.refresh_from_db()
    assert application.current_office == world.centre_a


def test_submission_needs_the_consent_and_required_materials(cases, world, items):
    application = services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    with pytest.raises(DomainError) as error:
        services.application_submit(actor=world.assistant_a1, application=application)
    assert "授权委托书" in str(error.value)


def test_assistant_of_another_village_may_not_file_there(world, items):
    with pytest.raises(NotPermitted):
        services.draft_start(actor=world.assistant_b1, item=items["dibao"], village=world.village_a1)


def test_accept_starts_the_clock(cases, world):
    application = cases.submitted()
    accepted = services.application_accept(actor=world.clerk_a, application=application)
    assert accepted.state == State.ACCEPTED
    assert accepted.assignee == world.clerk_a
    assert accepted.limit_days == 20
    assert accepted.due_on > accepted.accepted_on


def test_return_with_one_time_notice_then_resubmit(cases, world):
    application = cases.submitted()
    materials = list(application.item.materials.all())
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(materials[0], "复印件不清晰"), MissingItem(materials[1], "缺户主页")],
        note="请一次补齐",
    )
    assert notice.kind == Notice.Kind.SUPPLEMENT
    assert notice.items.count() == 2
    application.refresh_from_db()
    assert application.state == State.RETURNED
    services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind="material",
        material=materials[0],
        uploaded=png_upload(),
    )
    with pytest.raises(DomainError, match=materials[1].name):  # issue 18, gap 4: a line left open
        services.application_resubmit(actor=world.assistant_a1, application=application)
    services.notice_item_answer(
        actor=world.assistant_a1,
        application=application,
        notice_item=notice.items.last(),
        answer="户主页已在第一页",
    )
    services.application_resubmit(actor=world.assistant_a1, application=application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    notice.refresh_from_db()
    assert notice.answered_at is not None


def test_return_needs_a_reason_for_every_material(cases, world):
    application = cases.submitted()
    material = application.item.materials.first()
    with pytest.raises(DomainError):
        services.application_return(
            actor=world.clerk_a, application=application, items=[MissingItem(material, " ")]
        )
    with pytest.raises(DomainError):
        services.application_return(actor=world.clerk_a, application=application, items=[])


def test_second_approval_goes_through_the_supervisor(cases, world):
    application = cases.accepted(item="housing")
    with pytest.raises(DomainError):
        services.application_approve(actor=world.clerk_a, application=application)
    services.application_review(actor=world.clerk_a, application=application, comment="材料齐全，建议准予")
    with pytest.raises(NotPermitted):
        services.application_approve(actor=world.clerk_a, application=application)
    approved = services.application_approve(actor=world.supervisor_a, application=application)
    assert approved.state == State.APPROVED
    assert approved.decided_at is not None


def test_reject_needs_reason_and_basis(cases, world):
    application = cases.accepted()
    with pytest.raises(DomainError):
        services.application_reject(actor=world.clerk_a, application=application, reason="收入超标", basis="")
    rejected = services.application_reject(
        actor=world.clerk_a,
        application=application,
        reason="家庭人均收入高于低保标准",
        basis="《社会救助暂行办法》第九条",
    )
    assert rejected.state == State.REJECTED


def test_forward_moves_the_work_to_the_department(cases, world):
    application = cases.accepted()
    services.application_forward(actor=world.clerk_a, application=application, comment="涉及跨乡镇户籍")
    application.refresh_from_db()
    assert application.state == State.FORWARDED
    assert application.current_office == world.d1
    assert application.assignee is None
    with pytest.raises(NotPermitted):
        services.application_approve(actor=world.clerk_a, application=application)
    services.application_approve(actor=world.officer_d1, application=application)
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_another_clerk_may_not_work_a_taken_file_but_the_supervisor_may_reassign(cases, world):
    from portal.people.roles import Role
    from portal.people.services import membership_create
    from tests.factories import UserFactory

    second = UserFactory(username="clerk_a2", name="clerk_a2")
    membership_create(actor=None, user=second, office=world.centre_a, role=Role.TOWNSHIP_CLERK)
    application = cases.submitted()
    services.application_assign(actor=world.clerk_a, application=application)
    with pytest.raises(DomainError):
        services.application_accept(actor=second, application=application)
    services.application_reassign(actor=world.supervisor_a, application=application, to=second)
    services.application_accept(actor=second, application=application)
    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_withdraw_before_a_decision_only(cases, world):
    application = cases.accepted()
    services.application_withdraw(actor=world.assistant_a1, application=application, reason="村民不再申请")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    other = cases.accepted()
    services.application_approve(actor=world.clerk_a, application=other)
    with pytest.raises(DomainError):
        services.application_withdraw(actor=world.assistant_a1, application=other, reason="晚了")


def test_a_stale_version_is_told_it_changed(cases, world):
    application = cases.submitted()
    version = application.version
    services.application_accept(actor=world.clerk_a, application=application, expected_version=version)
    with pytest.raises(services.ApplicationChanged) as error:
        services.application_return(
            actor=world.clerk_a,
            application=application,
            items=[MissingItem(application.item.materials.first(), "x")],
            expected_version=version,
        )
    assert "已被处理" in str(error.value)


def test_every_step_writes_one_event_with_from_and_to(cases, world):
    application = cases.accepted()
    services.application_approve(actor=world.clerk_a, application=application)
    events = list(ApplicationEvent.objects.filter(application=application).order_by("pk"))
    assert [(e.act, e.from_state, e.to_state) for e in events] == [
        (Act.CREATE, State.DRAFT, State.DRAFT),
        (Act.SUBMIT, State.DRAFT, State.SUBMITTED),
        (Act.ACCEPT, State.SUBMITTED, State.ACCEPTED),
        (Act.APPROVE, State.ACCEPTED, State.APPROVED),
    ]
    assert events[-1].actor == world.clerk_a
    assert events[-1].actor_office == world.centre_a
    with pytest.raises(ValidationError):
        events[-1].save()


def test_accept_with_promise_then_supply(cases, world):
    application = cases.submitted()
    optional = application.item.materials.get(may_be_missing=True)
    required = application.item.materials.filter(may_be_missing=False).first()
    with pytest.raises(DomainError):
        services.application_accept_with_promise(
            actor=world.clerk_a,
            application=application,
            items=[MissingItem(required, "未带", due_on=datetime.date.today())],
            promise_file=png_upload("承诺书.png"),
        )
    services.application_accept_with_promise(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(optional, "未带原件", due_on=datetime.date.today() + datetime.timedelta(days=3))],
        promise_file=png_upload("承诺书.png"),
    )
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    with pytest.raises(DomainError):
        services.application_approve(actor=world.clerk_a, application=application)
    owed = application.notices.get().items.get()
    services.application_supply(
        actor=world.assistant_a1, application=application, notice_item=owed, uploaded=png_upload()
    )
    services.application_approve(actor=world.clerk_a, application=application)
    application.refresh_from_db()
    assert application.state == State.APPROVED
