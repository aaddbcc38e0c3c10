"""Lockout per account and per address, and failures that never tell whether an account exists."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.security import proxy

client = proxy.client  # each test twice: straight, and behind the documented proxy


@pytest.fixture(autouse=True)
def _clear_lockouts(db):
    from axes.utils import reset

    reset()


def login(client, username, password=PASSWORD, address="10.9.0.1"):
    return client.post(
        reverse("people:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def error_block(response) -> bytes:
    match = re.search(rb'<ul class="errorlist"[^>]*>.*?</ul>', response.content, re.S)
    assert match, response.content[:500]
    return match.group(0)


def test_unknown_user_wrong_password_and_disabled_account_answer_identically(client, world):
    world.outsider.is_active = False
    world.outsider.save(update_fields=["is_active"])
    wrong = login(client, "clerk_a", "wrong", address="10.9.1.1")
    unknown = login(client, "nobody_here", "wrong", address="10.9.1.2")
    disabled = login(client, world.outsider.username, PASSWORD, address="10.9.1.3")
    assert wrong.status_code == unknown.status_code == disabled.status_code == 200
    assert error_block(wrong) == error_block(unknown) == error_block(disabled)


def test_spellings_of_one_account_share_its_five_tries(client, world):
    """Upper case and the mobile reach the same account, so they count against the same key."""
    handles = ["clerk_a", "CLERK_A", "Clerk_A", world.clerk_a.mobile, "clerk_a"]
    for attempt, handle in enumerate(handles[: settings.AXES_FAILURE_LIMIT]):
        login(client, handle, "wrong", address=f"10.9.2.{attempt}")
    assert login(client, "clerk_a", address="10.9.3.1").status_code == 429


def test_the_address_locks_after_five_failures_on_different_accounts(client, world):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"someone{attempt}", "wrong", address="10.9.4.4")
    assert login(client, "clerk_a", address="10.9.4.4").status_code == 429
    assert login(client, "clerk_a", address="10.9.4.5").status_code == 302


def test_lockout_page_is_chinese_friendly_and_the_same_for_unknown_accounts(client, world):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "clerk_a", "wrong", address=f"10.9.5.{attempt}")
        login(client, "no_such_user", "wrong", address=f"10.9.6.{attempt}")
    known = login(client, "clerk_a", address="10.9.7.1")
    unknown = login(client, "no_such_user", address="10.9.7.2")
    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content
    body = known.content.decode()
    assert "登录失败次数过多" in body
    assert "15" in body and "PT15M" not in body  # the wait in words, not ISO 8601
    assert "clerk_a" not in body and "no_such_user" not in body
