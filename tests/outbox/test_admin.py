"""The back office list (短信): county administrators and superusers read it; nobody changes it."""

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.users.models import UserProfile

from portal.outbox.models import OutboxMessage
from portal.outbox.services import message_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = "outbox_messages:index"


def prefers_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def messages(world) -> list[OutboxMessage]:
    return [
        message_queue(
            to_mobile="13900000001", body="您的申请已受理。", topic="accepted", reference="BD-2026-000123"
        ),
        message_queue(to_mobile="", to_user=world.clerk_a, body="有新的申请待受理。", topic="submitted"),
    ]


@pytest.fixture
def as_user(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def login(user):
        client.force_login(prefers_english(user))
        return client

    return login


def test_a_county_administrator_sees_masked_numbers(as_user, world, messages):
    response = as_user(world.county_admin).get(reverse(INDEX))

    assert response.status_code == 200
    content = response.content.decode()
    assert "139****0001" in content
    assert "13900000001" not in content
    assert "BD-2026-000123" in content
    assert "clerk_a" in content


def test_the_menu_shows_the_outbox_to_county_administrators_only(as_user, world):
    assert "Text messages" in as_user(world.county_admin).get(reverse("wagtailadmin_home")).content.decode()
    assert "Text messages" not in as_user(world.editor).get(reverse("wagtailadmin_home")).content.decode()


def test_a_superuser_may_inspect_a_message(as_user, messages):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = as_user(superuser).get(reverse("outbox_messages:inspect", args=[messages[0].pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "您的申请已受理。" in content
    assert "139****0001" in content
    assert "13900000001" not in content


@pytest.mark.parametrize("name", ["township_admin_a", "editor", "clerk_a"])
def test_other_staff_are_refused(as_user, world, messages, name):
    client = as_user(getattr(world, name))
    for url in (reverse(INDEX), reverse("outbox_messages:inspect", args=[messages[0].pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "您的申请已受理" not in response.content.decode()


def test_nobody_may_change_or_delete_a_message(as_user, world, messages):
    client = as_user(world.county_admin)
    pk = messages[0].pk

    assert client.get(reverse("outbox_messages:add")).status_code in (302, 403)
    assert client.post(reverse("outbox_messages:edit", args=[pk]), {"topic": "x"}).status_code in (302, 403)
    assert client.post(reverse("outbox_messages:delete", args=[pk])).status_code in (302, 403)
    assert OutboxMessage.objects.get(pk=pk).topic == "accepted"


def test_the_list_filters_by_status(as_user, world, messages):
    OutboxMessage.objects.filter(pk=messages[0].pk).update(status=OutboxMessage.Status.SENT)

    response = as_user(world.county_admin).get(reverse(INDEX), {"status": "pending"})

    content = response.content.decode()
    assert "clerk_a" in content
    assert "BD-2026-000123" not in content


def test_the_list_runs_no_query_per_row(as_user, world, messages, django_assert_max_num_queries):
    client = as_user(world.county_admin)
    client.get(reverse(INDEX))  # warm up: sessions, profile, content types
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(INDEX))
    for i in range(20):
        message_queue(to_mobile="", to_user=world.clerk_a, body=f"第{i}条", topic="submitted")
    with django_assert_max_num_queries(len(few)):
        client.get(reverse(INDEX))
