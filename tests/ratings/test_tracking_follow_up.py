"""What the villager sees on the tracking page after a bad rating (issue 18, gap 10): who answers
it and by when, what the office did (整改情况), and the call back (回访) with what they said, in
their words, never a staff member's name. Ratings adds it through `approvals.extensions`."""

import pytest
from django.conf import settings
from django.urls import reverse

from approvals.tracking import tracking_notes
from ratings import services as rating_services

pytestmark = pytest.mark.django_db

ANSWER = "已约谈窗口人员，当面向村民道歉并说明办理时限。"


def _page(client, application, language: str = "en") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
    assert response.status_code == 302
    return client.get(reverse("tracking:detail", args=[application.number])).content.decode()


def test_an_open_rectification_says_who_answers_by_when(client, bad):
    page = _page(client, bad.rating.application)
    assert "What was done about your rating" in page
    assert "Your rating went to" in page and "It must say what it does about it by" in page


def test_the_answer_and_the_revisit_reach_the_villager(client, bad, world):
    application = bad.rating.application
    rating_services.rectification_answer(actor=world.supervisor_a, rectification=bad, answer=ANSWER)
    page = _page(client, application)
    assert ANSWER in page and "answered:" in page
    assert "The county will call you to ask whether you are satisfied now" in page

    rating_services.rectification_revisit(
        actor=world.county_admin, rectification=bad, satisfied=False, note="内部记录：村民情绪激动"
    )
    page = _page(client, application)
    assert ANSWER in page and "said you are still not satisfied" in page
    assert "will call you" not in page
    assert "内部记录" not in page  # the caller's own note stays with staff
    for name in ("supervisor_a", "county_admin"):
        assert name not in page


def test_in_chinese(client, bad, world):
    rating_services.rectification_answer(actor=world.supervisor_a, rectification=bad, answer=ANSWER)
    rating_services.rectification_revisit(actor=world.county_admin, rectification=bad, satisfied=True)
    page = _page(client, bad.rating.application, language="zh-hans")
    assert "您的评价整改情况" in page and ANSWER in page and "您表示现在满意" in page


def test_nothing_is_added_before_a_decision_or_after_a_good_rating(
    cases, decided, rate, django_assert_max_num_queries
):
    accepted = cases.accepted()
    with django_assert_max_num_queries(0):
        assert tracking_notes(accepted) == []
    application = decided("a1")
    rate(application)
    with django_assert_max_num_queries(1):
        assert tracking_notes(application) == []
