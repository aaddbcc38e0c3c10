"""Concurrent ledger actions on PostgreSQL, each thread on its own connection: two claims of one
item, one wins; the villager's confirmation against the assistant's "not done", one wins;
registrations at once get distinct numbers; a double-sent public form registers one item."""

import uuid
from functools import partial

import pytest

from ledger import services
from ledger.models import LedgerEvent, LedgerItem
from ledger.states import Act, State
from tests.approvals.test_concurrency import race
from tests.ledger.conftest import VILLAGER_MOBILE, in_days

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_claims_at_once_one_wins(ledger, world):
    for _ in range(4):
        item = ledger.registered("a1")
        claim = partial(services.ledger_item_claim, item=item, promise="修", promised_on=in_days(3))
        outcomes = race(partial(claim, actor=world.clerk_a), partial(claim, actor=world.assistant_a1))
        assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
        item.refresh_from_db()
        assert item.state == State.IN_PROGRESS
        assert LedgerEvent.objects.filter(item=item, act=Act.CLAIM).count() == 1


def test_confirmation_and_not_done_at_once_one_wins(ledger, world):
    for _ in range(4):
        item = ledger.done("a1")
        outcomes = race(
            partial(services.ledger_item_villager_answer, item=item, done=True),
            partial(
                services.ledger_item_record_not_done, actor=world.assistant_a1, item=item, comment="没修好"
            ),
        )
        assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
        answers = LedgerEvent.objects.filter(item=item, act__in=[Act.CONFIRM, Act.RECORD_NOT_DONE])
        assert answers.count() == 1


def test_registrations_at_once_get_distinct_numbers(world):
    register = partial(
        services.ledger_item_register,
        actor=world.assistant_a1,
        village=world.village_a1,
        villager_name="张小明",
        villager_mobile=VILLAGER_MOBILE,
        need="路灯",
    )
    assert race(*[register] * 8) == ["done"] * 8
    numbers = list(LedgerItem.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8


def test_a_double_sent_public_form_registers_one(world):
    token = uuid.uuid4()
    submit = partial(
        services.ledger_item_submit,
        village=world.village_a2,
        villager_name="赵玉兰",
        villager_mobile=VILLAGER_MOBILE,
        need="书包",
        client_token=token,
        address="192.0.2.9",
    )
    assert race(*[submit] * 5) == ["done"] * 5
    assert LedgerItem.objects.filter(client_token=token).count() == 1
    assert LedgerEvent.objects.filter(act=Act.REGISTER).count() == 1
