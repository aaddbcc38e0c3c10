"""Concurrent actions on PostgreSQL, each thread on its own connection: one wins, the other is
told it changed; numbers stay unique; a replayed submission makes one application."""

import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection

from approvals import services
from approvals.models import Application, ApplicationEvent
from approvals.services import MissingItem
from approvals.states import Act, State
from portal.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(*actions: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("done")
        except DomainError as error:
            outcomes.append(f"refused: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_accept_and_return_at_once_one_wins(cases, world):
    for _ in range(5):
        application = cases.submitted()
        version = application.version
        material = application.item.materials.first()
        outcomes = race(
            partial(
                services.application_accept,
                actor=world.clerk_a,
                application=application,
                expected_version=version,
            ),
            partial(
                services.application_return,
                actor=world.supervisor_a,
                application=application,
                items=[MissingItem(material, "模糊")],
                expected_version=version,
            ),
        )
        assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
        assert "已被处理" in next(o for o in outcomes if o.startswith("refused"))
        application.refresh_from_db()
        assert application.state in (State.ACCEPTED, State.RETURNED)
        decided = ApplicationEvent.objects.filter(application=application, act__in=[Act.ACCEPT, Act.RETURN])
        assert decided.count() == 1


def test_approve_and_withdraw_at_once_one_wins(cases, world):
    for _ in range(5):
        application = cases.accepted()
        outcomes = race(
            partial(services.application_approve, actor=world.clerk_a, application=application),
            partial(
                services.application_withdraw,
                actor=world.assistant_a1,
                application=application,
                reason="不办了",
            ),
        )
        assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
        final = ApplicationEvent.objects.filter(application=application, act__in=[Act.APPROVE, Act.WITHDRAW])
        assert final.count() == 1


def test_simultaneous_submissions_get_distinct_numbers(cases, world):
    drafts = [cases.draft() for _ in range(8)]
    outcomes = race(
        *[(lambda d=d: services.application_submit(actor=world.assistant_a1, application=d)) for d in drafts]
    )
    assert outcomes == ["done"] * 8
    numbers = list(Application.objects.exclude(number=None).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8


def test_a_replayed_submission_makes_one_submission(cases, world):
    draft = cases.draft()
    outcomes = race(*[lambda: services.application_submit(actor=world.assistant_a1, application=draft)] * 6)
    assert outcomes == ["done"] * 6
    assert ApplicationEvent.objects.filter(application=draft, act=Act.SUBMIT).count() == 1
