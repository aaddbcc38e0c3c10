"""Findings 6 and 7 of the security probe: four eyes on second-level approval, and a villager's
own rating stays theirs.

6. One centre supervisor alone accepted, reviewed (审核) and approved (审批) an item that needs
   second-level approval.
7. The village assistant could overwrite the villager's own bad rating (and the villager's rating
   of the assistant) within the change window, closing the rectification.
"""

import pytest
from django.urls import reverse

from approvals import services
from approvals.states import State
from portal.errors import DomainError
from ratings.models import Channel, Level, Rectification
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.ratings.conftest import bad, decided, rate  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


# -- 6: separation of duties -----------------------------------------------------------------------


def test_finding_06_the_supervisor_who_accepted_and_reviewed_cannot_approve(cases, world):  # noqa: F811
    application = cases.submitted(item="housing")
    services.application_accept(actor=world.supervisor_a, application=application)
    services.application_review(actor=world.supervisor_a, application=application, comment="符合条件")
    for decide in (
        lambda: services.application_approve(actor=world.supervisor_a, application=application),
        lambda: services.application_reject(
            actor=world.supervisor_a, application=application, reason="不符合", basis="《办法》第九条"
        ),
    ):
        with pytest.raises(DomainError, match="second"):
            decide()
    application.refresh_from_db()
    assert application.state == State.REVIEWED


def test_finding_06_a_supervisor_who_only_accepted_cannot_approve_either(cases, world):  # noqa: F811
    application = cases.submitted(item="housing")
    services.application_accept(actor=world.supervisor_a, application=application)
    services.application_reassign(actor=world.supervisor_a, application=application, to=world.clerk_a)
    services.application_review(actor=world.clerk_a, application=application, comment="符合条件")
    with pytest.raises(DomainError, match="second"):
        services.application_approve(actor=world.supervisor_a, application=application)


def test_finding_06_the_page_offers_no_approve_button_to_the_reviewer(client, cases, world):  # noqa: F811
    from approvals.selectors import steps_for
    from approvals.states import Act

    application = cases.submitted(item="housing")
    services.application_accept(actor=world.supervisor_a, application=application)
    services.application_review(actor=world.supervisor_a, application=application, comment="符合条件")
    application.refresh_from_db()
    acts = {step.act for step in steps_for(world.supervisor_a, application)}
    assert Act.APPROVE not in acts and Act.REJECT not in acts
    assert Act.SEND_BACK in acts
    client.force_login(world.supervisor_a)
    page = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert reverse("approvals:act", args=[application.pk, Act.SEND_BACK]) in page
    assert reverse("approvals:act", args=[application.pk, Act.APPROVE]) not in page
    answer = client.post(reverse("approvals:act", args=[application.pk, Act.APPROVE]), {"version": application.version})
    assert answer.status_code in (200, 302, 400, 403, 404)
    application.refresh_from_db()
    assert application.state == State.REVIEWED


def test_finding_06_a_second_person_approves(cases, world):  # noqa: F811
    """The rule's other side: the clerk accepts and reviews, the supervisor approves."""
    application = cases.accepted(item="housing")
    services.application_review(actor=world.clerk_a, application=application, comment="符合条件")
    approved = services.application_approve(actor=world.supervisor_a, application=application)
    assert approved.state == State.APPROVED


def test_finding_06_items_without_second_approval_are_decided_by_the_one_clerk(cases, world):  # noqa: F811
    application = cases.accepted()
    assert services.application_approve(actor=world.clerk_a, application=application).state == State.APPROVED


# -- 7: the villager's rating is theirs --------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.TRACKING, Channel.QR])
@pytest.mark.parametrize("staff_channel", [Channel.ASSISTANT, Channel.PAPER])
def test_finding_07_the_assistant_cannot_replace_the_villager_s_own_rating(
    decided, rate, world, channel, staff_channel  # noqa: F811
):
    rating = rate(decided("a1"), Level.VERY_DISSATISFIED, channel=channel, assistant_level=1, comment="跑了三趟")
    with pytest.raises(DomainError, match="only they can change it"):
        rate(rating.application, Level.VERY_SATISFIED, channel=staff_channel, actor=world.assistant_a1, assistant_level=5)
    rating.refresh_from_db()
    assert (rating.level, rating.assistant_level, rating.channel) == (Level.VERY_DISSATISFIED, 1, channel)
    assert rating.rectifications.get().state == Rectification.State.OPEN


def test_finding_07_the_assistant_s_page_does_not_offer_the_change(client, decided, rate, world):  # noqa: F811
    rating = rate(decided("a1"), Level.DISSATISFIED, channel=Channel.TRACKING)
    client.force_login(world.assistant_a1)
    url = reverse("ratings:assisted_rate", args=[rating.application.pk])
    answer = client.post(url, {"level": Level.VERY_SATISFIED, "channel": Channel.ASSISTANT})
    assert answer.status_code == 302
    rating.refresh_from_db()
    assert rating.level == Level.DISSATISFIED and rating.changes == 0


def test_finding_07_the_villager_may_still_change_their_mind(decided, rate):  # noqa: F811
    rating = rate(decided("a1"), Level.DISSATISFIED, channel=Channel.TRACKING)
    changed = rate(rating.application, Level.SATISFIED, channel=Channel.TRACKING)
    assert changed.level == Level.SATISFIED and changed.changes == 1


def test_finding_07_a_rating_the_assistant_recorded_may_be_corrected_by_them(decided, rate, world):  # noqa: F811
    rating = rate(decided("a1"), Level.SATISFIED, channel=Channel.PAPER, actor=world.assistant_a1)
    changed = rate(rating.application, Level.VERY_SATISFIED, channel=Channel.PAPER, actor=world.assistant_a1)
    assert changed.level == Level.VERY_SATISFIED
