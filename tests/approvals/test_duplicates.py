"""Duplicate detection at the draft (issue 18, gap 11): the same villager and item already open or
in force is named to the assistant (a warning they may confirm) and to the clerk.

The world (tests/conftest.py): 张小明 lives in village A1 (assistant_a1, centre A: clerk_a);
李大山 in village B1 (assistant_b1, centre B). 低保 results in a certificate valid 12 months
(tests/certificates/conftest.py `certified`)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from approvals import selectors, services
from approvals.models import ApplicationEvent
from approvals.states import Act, State
from certificates import services as certificate_services
from tests.certificates.conftest import approve, certified  # noqa: F401

pytestmark = pytest.mark.django_db


def duplicates_of(viewer, application) -> list:
    return [
        d.application.pk
        for d in selectors.application_duplicates(viewer, [application]).get(application.pk, [])
    ]


# -- the selector --------------------------------------------------------------------------------


def test_an_open_application_of_the_same_villager_and_item_is_a_duplicate(cases, world):
    first = cases.submitted()
    draft = cases.draft()
    assert duplicates_of(world.assistant_a1, draft) == [first.pk]
    # and the other way round: the first one sees the new draft (any state but a final one)
    assert duplicates_of(world.assistant_a1, first) == [draft.pk]


def test_another_item_or_a_finished_application_is_not(cases, world):
    other_item = cases.submitted("housing")
    withdrawn = cases.submitted()
    services.application_withdraw(actor=world.assistant_a1, application=withdrawn, reason="村民不办了")
    draft = cases.draft()
    assert other_item.pk not in duplicates_of(world.assistant_a1, draft)
    assert duplicates_of(world.assistant_a1, draft) == []


def test_an_approved_application_counts_while_its_certificate_is_valid(approve, cases, world):  # noqa: F811
    certificate = approve("dibao", "a1")
    draft = cases.draft()
    found = selectors.application_duplicates(world.assistant_a1, [draft])[draft.pk]
    assert [d.application.pk for d in found] == [certificate.application_id]
    assert found[0].in_force and found[0].application.state == State.APPROVED
    after_expiry = certificate.valid_until + datetime.timedelta(days=1)
    assert selectors.application_duplicates(world.assistant_a1, [draft], today=after_expiry) == {}
    on_last_day = certificate.valid_until
    assert selectors.application_duplicates(world.assistant_a1, [draft], today=on_last_day) != {}


def test_a_revoked_certificate_is_not_in_force(approve, cases, world):  # noqa: F811
    certificate = approve("dibao", "a1")
    certificate_services.certificate_revoke(
        actor=world.supervisor_a, certificate=certificate, reason="信息有误"
    )
    assert duplicates_of(world.assistant_a1, cases.draft()) == []


def test_an_approval_without_a_certificate_is_not_in_force(cases, world):
    application = cases.accepted()
    services.application_approve(actor=world.clerk_a, application=application)
    assert duplicates_of(world.assistant_a1, cases.draft()) == []


def test_it_never_names_an_application_the_viewer_may_not_see(cases, world):
    first = cases.submitted()
    draft = cases.draft()
    assert duplicates_of(world.clerk_a, first) == []  # the clerk never sees an assistant's draft
    assert duplicates_of(world.assistant_b1, draft) == []
    assert duplicates_of(world.clerk_b, first) == []
    second = cases.submitted()
    assert duplicates_of(world.clerk_a, second) == [first.pk]


def test_one_query_for_a_whole_list(cases, world, django_assert_num_queries):
    applications = [cases.submitted() for _ in range(3)] + [
        cases.submitted("housing"),
        cases.submitted(where="b1"),
    ]
    with django_assert_num_queries(1):
        found = selectors.application_duplicates(world.supervisor_a, applications)
    assert {pk: len(rows) for pk, rows in found.items()} == {a.pk: 2 for a in applications[:3]}


# -- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_assistant_is_warned_and_submits_only_after_confirming(english, cases, world):
    first = cases.submitted()
    draft = cases.draft()
    english.force_login(world.assistant_a1)
    page = english.get(reverse("approvals:edit", args=[draft.pk]))
    html = page.content.decode()
    assert "The villager already has this item" in html and first.number in html
    assert first.get_state_display() in html

    refused = english.post(reverse("approvals:edit", args=[draft.pk]), {"submit": "1"})
    assert refused.status_code == 200
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert "tick" in refused.content.decode()  # the message says how to go on

    done = english.post(reverse("approvals:edit", args=[draft.pk]), {"submit": "1", "confirm_duplicate": "1"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    event = ApplicationEvent.objects.get(application=draft, act=Act.SUBMIT)
    assert first.number in event.comment and "重复申请已确认" in event.comment


def test_the_detail_pages_submit_button_asks_too(english, cases, world):
    cases.submitted()
    draft = cases.draft()
    english.force_login(world.assistant_a1)
    response = english.post(reverse("approvals:submit", args=[draft.pk]))
    assert response["Location"] == reverse("approvals:edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_no_warning_without_a_duplicate(english, cases, world):
    draft = cases.draft()
    english.force_login(world.assistant_a1)
    assert (
        "The villager already has this item"
        not in english.get(reverse("approvals:edit", args=[draft.pk])).content.decode()
    )
    response = english.post(reverse("approvals:edit", args=[draft.pk]), {"submit": "1"})
    assert response.status_code == 302
    assert ApplicationEvent.objects.get(application=draft, act=Act.SUBMIT).comment == ""


def test_the_clerk_sees_the_same_warning_on_the_work_page(english, cases, world):
    first = cases.submitted()
    draft = cases.draft()
    english.force_login(world.assistant_a1)
    english.post(reverse("approvals:edit", args=[draft.pk]), {"submit": "1", "confirm_duplicate": "1"})
    english.force_login(world.clerk_a)
    html = english.get(reverse("approvals:detail", args=[draft.pk])).content.decode()
    assert "The villager already has this item" in html and first.number in html
    english.force_login(world.clerk_b)
    assert english.get(reverse("approvals:detail", args=[draft.pk])).status_code == 404
