"""Refusals say the reason that failed (issue 18, gap 12a): whose step it is when the role or
office is wrong, the item's condition when the item forbids it, the state only when the state
is the reason. Through the services (what every page shows) and the work page's act links.

The world: application of 张小明 (village A1), filed by assistant_a1, routed to centre A (clerk_a)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from approvals import selectors, services
from approvals.states import Act
from portal.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def test_the_wrong_role_is_told_whose_step_it_is(cases, world):
    application = cases.submitted()
    with translation.override("zh-hans"):
        error = refusal(
            lambda: services.application_accept(actor=world.assistant_a1, application=application)
        )
    assert isinstance(error, NotPermitted)
    text = str(error)
    assert f"这一步由{application.current_office.name}的窗口人员" in text
    assert "状态" not in text and "已提交" not in text
    with translation.override("en"):
        error = refusal(
            lambda: services.application_accept(actor=world.assistant_a1, application=application)
        )
    assert "is done by the window clerks (窗口人员) of" in str(error)


def test_an_act_the_role_never_takes_blames_the_role_even_where_the_state_also_forbids_it(cases, world):
    application = cases.submitted()  # approving is not possible before acceptance, but that is not the reason
    with translation.override("zh-hans"):
        error = refusal(
            lambda: services.application_approve(actor=world.assistant_a1, application=application)
        )
    assert isinstance(error, NotPermitted)
    assert "窗口人员" in str(error) and "已提交" not in str(error)


def test_the_wrong_office_is_told_whose_step_it_is(cases, world):
    application = cases.submitted()  # at centre A
    with translation.override("zh-hans"):
        error = refusal(lambda: services.application_accept(actor=world.clerk_b, application=application))
    assert isinstance(error, NotPermitted)
    assert application.current_office.name in str(error)


def test_the_supervisors_step_names_the_supervisor(cases, world):
    application = cases.accepted("housing")
    services.application_review(actor=world.clerk_a, application=application, comment="符合条件")
    with translation.override("zh-hans"):
        error = refusal(
            lambda: services.application_send_back(
                actor=world.assistant_a1, application=application, comment="再看"
            )
        )
    assert "中心负责人" in str(error)


def test_the_item_is_the_reason_when_the_item_forbids_it(cases, world):
    application = cases.accepted()  # 低保 needs no second-level approval (审批)
    with translation.override("en"):
        text = selectors.step_refusal(world.clerk_a, application, Act.REVIEW)
    assert "does not need the supervisor's approval" in text
    assert application.item.title in text and "Accepted" not in text


def test_the_state_is_the_reason_only_when_the_role_could_take_the_step_in_another_state(cases, world):
    application = cases.submitted()
    with translation.override("zh-hans"):
        error = refusal(lambda: services.application_approve(actor=world.clerk_a, application=application))
    assert not isinstance(error, NotPermitted)
    assert "已提交" in str(error)


def test_the_act_link_explains_the_real_reason(client, cases, world):
    application = cases.submitted()
    client.force_login(world.assistant_a1)
    response = client.get(reverse("approvals:act", args=[application.pk, Act.ACCEPT.value]))
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"这一步由{application.current_office.name}的窗口人员" in m for m in shown), shown
    assert not any("状态" in m for m in shown)
