"""Ratings (好差评) for a provincial platform: the list in the order of change with `since` and
a cursor, one rating by id, the client's jurisdiction, what a rating never carries, and the
list's fixed cost.

`province` is bound to the county (every scope); `hotline` to centre A without ratings:read."""

import datetime
import json
import uuid
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from api.cursors import cursor_make
from approvals.models import Application
from ratings import services as rating_services
from ratings.models import Channel, Level, Rating, RatingAppeal, Rectification
from tests.api.conftest import make_client
from tests.ratings.conftest import decided, rate  # noqa: F401

RATINGS = "/api/v1/ratings"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["ratings"]]


def test_a_platform_reads_a_rating_with_what_followed_it(world, decided, rate, province, call):  # noqa: F811
    rating = rate(decided("a1"), Level.DISSATISFIED, reasons=["slow"], comment="跑了三趟")
    response = call.get(RATINGS, province[1])
    [row] = response.json()["ratings"]
    assert row["id"] == rating.pk
    assert row["application_number"] == rating.application.number
    assert (row["item_code"], row["item_title"]) == ("120115-JF-001", "最低生活保障审核确认")
    assert row["office"]["name"] == world.centre_a.name
    assert row["office"]["region_code"] == world.township_a.code
    assert (row["level"], row["level_label"], row["level_label_en"]) == (
        2,
        "不满意",
        "Dissatisfied (不满意)",
    )
    assert row["bad"] is True and row["channel"] == Channel.TRACKING
    assert row["rated_at"].endswith("+08:00") and row["changed_at"].endswith("+08:00")
    [rectification] = row["rectifications"]
    assert rectification["state"] == Rectification.State.OPEN
    assert rectification["answer_due_on"] == rating.rectifications.get().due_on.isoformat()
    assert rectification["answered_at"] is None
    assert row["appeal"] is None
    assert call.get(row["url"], province[1]).json() == row


def test_a_rating_never_carries_the_villagers_words_nor_anyones_name(
    world,
    decided,  # noqa: F811
    rate,  # noqa: F811
    residents,
    province,
    call,
):
    rating = rate(decided("a1"), Level.VERY_DISSATISFIED, reasons=["attitude"], comment="窗口态度很差")
    rectification = rating.rectifications.get()
    rating_services.rectification_answer(
        actor=world.supervisor_a, rectification=rectification, answer="已约谈经办人张三并致歉"
    )
    rating_services.appeal_file(
        actor=world.supervisor_a, rating=rating, reason="村民李四恶意差评，有录音为证。"
    )
    row = call.get(f"{RATINGS}/{rating.pk}", province[1]).json()
    assert row["rectifications"][0]["state"] == Rectification.State.ANSWERED
    assert row["rectifications"][0]["answered_on_time"] is True
    assert row["appeal"]["state"] == RatingAppeal.Outcome.PENDING
    text = json.dumps(row, ensure_ascii=False)
    villager = residents["a1"]
    for secret in (
        villager.name,
        villager.id_number,
        villager.id_number[-4:],
        villager.mobile[-4:],
        "窗口态度很差",
        "attitude",
        "张三",
        "李四",
        world.supervisor_a.username,
        world.clerk_a.username,
        world.assistant_a1.username,
    ):
        assert secret not in text, secret


def test_outside_the_jurisdiction_is_absent_and_the_same_404_as_unknown(
    world,
    decided,  # noqa: F811
    rate,  # noqa: F811
    call,
):
    ours = rate(decided("a1"))
    theirs = rate(decided("b1"))
    _client, key = make_client(world.centre_a, name="township A platform", scopes=["ratings:read"])
    assert ids(call.get(RATINGS, key)) == [ours.pk]
    refused = call.get(f"{RATINGS}/{theirs.pk}", key)
    unknown = call.get(f"{RATINGS}/{theirs.pk + 1000}", key)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json() and refused.json()["code"] == "not_found"
    assert theirs.application.number not in refused.content.decode()


def test_the_scope_and_the_key_are_asked_before_anything_is_looked_up(
    decided,  # noqa: F811
    rate,  # noqa: F811
    hotline,
    call,
):
    rating = rate(decided("a1"))
    for path in (RATINGS, f"{RATINGS}/{rating.pk}"):
        missing = call.get(path)
        assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
        assert missing["WWW-Authenticate"] == "Bearer"
        wrong = call.get(path, "cbk_0123456789_wrong")
        assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_key"
        refused = call.get(path, hotline[1])  # the hotline holds no ratings:read
        assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
        assert rating.application.number not in refused.content.decode()


def test_a_client_over_its_limit_waits(world, call):
    _client, key = make_client(world.ds, name="slow platform", scopes=["ratings:read"], rate=2)
    assert [call.get(RATINGS, key).status_code for _ in range(3)] == [200, 200, 429]
    response = call.get(RATINGS, key)
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 0


def test_bad_input_is_a_clear_4xx(province, call):
    for params, status, code in (
        ({"since": "2026-12-01T00:00:00"}, 422, "invalid"),  # no time zone
        ({"since": "yesterday"}, 422, "invalid"),
        ({"limit": "0"}, 422, "invalid"),
        ({"limit": "101"}, 422, "invalid"),
        ({"cursor": "made-up"}, 400, "bad_cursor"),
    ):
        response = call.get(RATINGS, province[1], **params)
        assert (response.status_code, response.json()["code"]) == (status, code), params
    for rating_id in ("x", "0", "-1", str(2**64)):
        assert call.get(f"{RATINGS}/{rating_id}", province[1]).status_code == 422, rating_id
    assert call.get(f"{RATINGS}/{2**63 - 1}", province[1]).status_code == 404


def test_a_cursor_of_another_list_is_refused(catalogue_cursor, province, call):
    response = call.get(RATINGS, province[1], cursor=catalogue_cursor)
    assert response.status_code == 400 and response.json()["code"] == "bad_cursor"


@pytest.fixture
def catalogue_cursor():
    return cursor_make("changes", timezone.now().isoformat(), 1)


# -- the sync: changed_at, since, cursor --------------------------------------------------------------

MONDAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def test_since_gives_what_changed_and_a_rating_comes_again_when_it_changes(
    world,
    decided,  # noqa: F811
    rate,  # noqa: F811
    province,
    call,
):
    with time_machine.travel(MONDAY, tick=False):
        bad = rate(decided("a1"), Level.DISSATISFIED)
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        good = rate(decided("b1"), Level.VERY_SATISFIED)
    assert ids(call.get(RATINGS, province[1])) == [bad.pk, good.pk]
    second = (MONDAY + datetime.timedelta(minutes=30)).isoformat()
    assert ids(call.get(RATINGS, province[1], since=second)) == [good.pk]

    answered_at = MONDAY + datetime.timedelta(hours=2)
    with time_machine.travel(answered_at, tick=False):
        rating_services.rectification_answer(
            actor=world.supervisor_a,
            rectification=bad.rectifications.get(),
            answer="已重新梳理一次性告知清单并向村民说明。",
        )
    response = call.get(RATINGS, province[1], since=second)
    assert ids(response) == [good.pk, bad.pk]  # the answered one again, last
    row = response.json()["ratings"][1]
    assert datetime.datetime.fromisoformat(row["changed_at"]) == answered_at
    assert row["rectifications"][0]["state"] == Rectification.State.ANSWERED
    # any offset is read: the same moment in UTC
    assert ids(call.get(RATINGS, province[1], since=answered_at.isoformat())) == [bad.pk]


def test_the_cursor_walks_every_rating_once_in_the_order_of_change(
    decided,  # noqa: F811
    rate,  # noqa: F811
    province,
    call,
):
    made = []
    for hour, where in enumerate(("a1", "b1", "a1")):
        with time_machine.travel(MONDAY + datetime.timedelta(hours=hour), tick=False):
            made.append(rate(decided(where)).pk)
    # two ratings changed at the same instant: the id breaks the tie
    Rating.objects.filter(pk__in=made[1:]).update(changed_at=MONDAY + datetime.timedelta(hours=5))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        body = call.get(RATINGS, province[1], **params).json()
        seen += [row["id"] for row in body["ratings"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3


def test_every_event_of_a_rating_moves_its_changed_at(world, decided, rate):  # noqa: F811
    with time_machine.travel(MONDAY, tick=False):
        rating = rate(decided("a1"), Level.DISSATISFIED)
    assert rating.changed_at == MONDAY
    steps = [
        lambda: rating_services.appeal_file(
            actor=world.supervisor_a, rating=rating, reason="差评针对审批结果，经办人告知完整。"
        ),
        lambda: rating_services.appeal_decide(
            actor=world.county_admin,
            appeal=RatingAppeal.objects.get(rating=rating),
            set_aside=True,
            reason="差评针对审批结果。",
        ),
    ]
    for hours, step in enumerate(steps, start=1):
        moment = MONDAY + datetime.timedelta(hours=hours)
        with time_machine.travel(moment, tick=False):
            step()
        rating.refresh_from_db()
        assert rating.changed_at == moment
    # the set-aside cancelled the rectification: the platform reads that too
    assert rating.rectifications.get().state == Rectification.State.CANCELLED


def test_a_rating_given_on_a_clock_set_back_changed_then(decided, rate):  # noqa: F811
    """The demo tells its stories with `timezone.now` patched to each step's moment."""
    application = decided("a1")
    with mock.patch("django.utils.timezone.now", new=lambda: MONDAY):
        rating = rate(application, Level.VERY_SATISFIED)
    rating.refresh_from_db()
    assert rating.rated_at == rating.changed_at == MONDAY


# -- the list's cost ---------------------------------------------------------------------------------


def _copies(rating: Rating, count: int) -> None:
    """`count` more ratings like `rating` (a new application each), with its rectification and
    appeal: bulk, no services, so that thirty cost little more to build than one."""
    applications = []
    for n in range(count):
        copy = Application.objects.get(pk=rating.application_id)
        copy.pk, copy.number, copy.client_token = None, f"{copy.number}-{n}", uuid.uuid4()
        applications.append(copy)
    Application.objects.bulk_create(applications)
    ratings = Rating.objects.bulk_create(
        Rating(**{**_fields(rating), "application_id": application.pk}) for application in applications
    )
    rectification = Rectification.objects.get(rating=rating)
    appeal = RatingAppeal.objects.get(rating=rating)
    Rectification.objects.bulk_create(
        Rectification(**{**_fields(rectification), "rating_id": r.pk}) for r in ratings
    )
    RatingAppeal.objects.bulk_create(RatingAppeal(**{**_fields(appeal), "rating_id": r.pk}) for r in ratings)


def _fields(row) -> dict:
    """A row's column values but its id."""
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if not f.primary_key}


def test_the_list_costs_the_same_queries_for_1_and_30_ratings(
    world,
    decided,  # noqa: F811
    rate,  # noqa: F811
    province,
    call,
    django_assert_max_num_queries,
):
    rating = rate(decided("a1"), Level.DISSATISFIED)
    rating_services.appeal_file(
        actor=world.supervisor_a, rating=rating, reason="差评针对审批结果，经办人告知完整。"
    )
    call.get(RATINGS, province[1])  # warm the throttle's and the audit's first rows
    # 18: the key (savepoint, lock, wrong keys counted, the key, release), the client's limit
    # (savepoint, lock, count, record, release), the offices it reaches, the ratings, their
    # rectifications, the audit row (insert, read back, the reference index: 3)
    with django_assert_max_num_queries(18) as one:
        assert len(ids(call.get(RATINGS, province[1]))) == 1
    _copies(rating, 29)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = call.get(RATINGS, province[1])
    rows = response.json()["ratings"]
    assert len(rows) == 30
    assert all(row["appeal"]["state"] == "pending" and len(row["rectifications"]) == 1 for row in rows)
