"""The rating pages as people use them: the villager from the tracking page, the assistant for
the villager, the supervisor's list and steps, the county's appeals, figures and rules."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from ratings import services as rating_services
from ratings.models import Channel, Level, Rating, Rectification

pytestmark = pytest.mark.django_db

MOBILE_LAST4 = "5678"  # residents["a1"].mobile is 13812345678


@pytest.fixture
def villager(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _track(client, application, *, via: str = ""):
    data = {"number": application.number, "last4": MOBILE_LAST4}
    if via:
        data["via"] = via
    response = client.post(reverse("tracking:form"), data)
    assert response.status_code == 302, response.content[:300]


def _login(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_the_tracking_page_offers_the_rating_once_decided(villager, decided):
    application = decided("a1")
    _track(villager, application)
    page = villager.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert reverse("tracking:rate", args=[application.number]) in page
    assert "Rate the service" in page


def test_the_tracking_page_does_not_offer_it_before(villager, cases):
    application = cases.accepted()
    _track(villager, application)
    page = villager.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert "/rate/" not in page
    response = villager.get(reverse("tracking:rate", args=[application.number]))
    assert response.status_code == 302


def test_the_rating_form_needs_the_tracking_proof(client, decided):
    application = decided("a1")
    response = client.get(reverse("tracking:rate", args=[application.number]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tracking:form"))
    response = client.post(reverse("tracking:rate", args=[application.number]), {"level": "1"})
    assert response.status_code == 302 and not Rating.objects.exists()


def test_the_villager_rates_and_the_page_shows_it(villager, decided):
    application = decided("a1")
    _track(villager, application)
    url = reverse("tracking:rate", args=[application.number])
    response = villager.post(
        url, {"level": "2", "reasons": ["slow", "trips"], "comment": "跑了三趟", "assistant_level": "5"}
    )
    assert response.status_code == 302
    rating = Rating.objects.get(application=application)
    assert (rating.level, rating.reasons, rating.assistant_level, rating.channel) == (
        2,
        ["slow", "trips"],
        5,
        "tracking",
    )
    page = villager.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert "Dissatisfied" in page and "跑了三趟" in page
    assert "Change the rating" in page


def test_a_rating_from_the_receipt_s_qr_says_so(villager, decided):
    application = decided("a1")
    form = villager.get(reverse("tracking:form") + f"?number={application.number}&via=qr").content.decode()
    assert 'name="via" value="qr"' in form
    _track(villager, application, via="qr")
    villager.post(reverse("tracking:rate", args=[application.number]), {"level": "5"})
    assert Rating.objects.get(application=application).channel == Channel.QR


@pytest.mark.parametrize("level", ["", "9", "x" * 50])
def test_a_bad_level_is_a_message_and_keeps_what_was_typed(villager, decided, level):
    application = decided("a1")
    _track(villager, application)
    response = villager.post(
        reverse("tracking:rate", args=[application.number]),
        {"level": level, "comment": "窗口很热情", "reasons": ["friendly"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "窗口很热情" in page
    assert re.search(r'value="friendly"[^>]*checked', page)
    assert 'role="alert"' in page or "errorlist" in page
    assert not Rating.objects.exists()


def test_after_the_window_the_form_is_closed(villager, decided, world):
    application = decided("a1")
    rating_services.quality_settings_save(
        actor=world.county_admin, rectification_days=15, change_window_hours=0
    )
    _track(villager, application)
    villager.post(reverse("tracking:rate", args=[application.number]), {"level": "4"})
    response = villager.post(reverse("tracking:rate", args=[application.number]), {"level": "1"})
    assert response.status_code == 302
    assert Rating.objects.get(application=application).level == 4


def test_the_assistant_records_it_on_the_application_page(client, decided, world):
    application = decided("a1")
    _login(client, world.assistant_a1)
    detail = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    url = reverse("ratings:assisted_rate", args=[application.pk])
    assert url in detail
    response = client.post(url, {"level": "5", "channel": "paper"})
    assert response.status_code == 302
    rating = Rating.objects.get(application=application)
    assert (rating.channel, rating.recorded_by) == ("paper", world.assistant_a1)


def test_a_clerk_sees_the_rating_but_cannot_record_one(client, decided, rate, world):
    application = decided("a1")
    _login(client, world.clerk_a)
    response = client.post(
        reverse("ratings:assisted_rate", args=[application.pk]), {"level": "5", "channel": "paper"}
    )
    assert response.status_code == 302 and not Rating.objects.exists()
    rate(application, Level.DISSATISFIED, comment="太慢")
    detail = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert (
        "太慢" in detail and reverse("ratings:rectification", args=[Rectification.objects.get().pk]) in detail
    )


def test_the_supervisor_works_the_rectification_through_the_pages(client, bad, world):
    _login(client, world.supervisor_a)
    listing = client.get(reverse("ratings:rectifications")).content.decode()
    assert bad.rating.application.number in listing
    detail = client.get(reverse("ratings:rectification", args=[bad.pk])).content.decode()
    assert reverse("ratings:answer", args=[bad.pk]) in detail
    response = client.post(reverse("ratings:answer", args=[bad.pk]), {"answer": "短"})
    assert response.status_code == 400 and "短" in response.content.decode()
    client.post(reverse("ratings:answer", args=[bad.pk]), {"answer": "已约谈窗口人员并向村民说明情况。"})
    client.post(reverse("ratings:revisit", args=[bad.pk]), {"satisfied": "yes", "note": "满意"})
    bad.refresh_from_db()
    assert bad.state == Rectification.State.REVISITED and bad.revisit_satisfied is True


def test_the_list_is_a_fixed_number_of_queries(client, decided, rate, world, django_assert_max_num_queries):
    for _ in range(3):
        rate(decided("a1"), Level.VERY_DISSATISFIED)
    _login(client, world.supervisor_a)
    url = reverse("ratings:rectifications")
    client.get(url)
    with django_assert_max_num_queries(13) as few:  # + may they open the figures (issue 18)
        client.get(url)
    for _ in range(6):
        rate(decided("a1"), Level.DISSATISFIED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('href="/work/rectifications/') == 9


def test_overdue_rectifications_are_marked_on_the_list(client, bad, world):
    import datetime

    from django.utils import timezone

    _login(client, world.supervisor_a)
    url = reverse("ratings:rectifications") + "?overdue=on"
    assert bad.rating.application.number not in client.get(url).content.decode()
    Rectification.objects.filter(pk=bad.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    page = client.get(url).content.decode()
    assert "Overdue" in page and bad.rating.application.number in page


def test_the_county_decides_an_appeal_on_its_page(client, bad, world):
    appeal = rating_services.appeal_file(
        actor=world.supervisor_a, rating=bad.rating, reason="村民恶意差评，有录音为证。"
    )
    _login(client, world.county_admin)
    assert (
        reverse("ratings:appeal", args=[appeal.pk]) in client.get(reverse("ratings:appeals")).content.decode()
    )
    response = client.post(
        reverse("ratings:appeal", args=[appeal.pk]), {"outcome": "set_aside", "reason": ""}
    )
    assert response.status_code == 400
    client.post(
        reverse("ratings:appeal", args=[appeal.pk]), {"outcome": "set_aside", "reason": "录音证实恶意差评"}
    )
    appeal.refresh_from_db()
    assert appeal.outcome == "set_aside"


def test_the_figures_page_and_the_public_summary(client, decided, rate, world):
    rate(decided("a1"), Level.VERY_SATISFIED)
    rate(decided("a1"), Level.DISSATISFIED, comment="很差")
    rate(decided("b1"), Level.SATISFIED)
    _login(client, world.supervisor_a)
    page = client.get(reverse("ratings:figures")).content.decode()
    assert "50.0%" in page  # centre A: 1 of 2 satisfied
    assert "霍各庄镇" not in page  # centre B is not theirs
    client.logout()
    public = client.get(reverse("satisfaction:summary"))
    body = public.content.decode()
    assert "郝各庄镇" in body and "霍各庄镇" in body and "100.0%" in body
    for private in ("很差", "assistant_a1", "13812345678", world.clerk_a.username):
        assert private not in body
    assert "public" in public["Cache-Control"]


def test_the_rules_page_is_the_county_administrator_s(client, world):
    _login(client, world.township_admin_a)
    assert client.get(reverse("ratings:rules")).status_code == 404
    client.logout()
    _login(client, world.county_admin)
    response = client.post(
        reverse("ratings:rules"), {"rectification_days": "10", "change_window_hours": "24"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("ratings:rules"), {"rectification_days": "999", "change_window_hours": "24"}
    )
    assert response.status_code == 400 and "999" in response.content.decode()
