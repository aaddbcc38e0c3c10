"""Concurrent membership changes on PostgreSQL: one row, one event, the loser told why."""

import threading

import pytest
from django.db import connection

from portal.errors import DomainError
from portal.people.models import Membership, MembershipEvent
from portal.people.roles import Role
from portal.people.services import membership_create
from tests.conftest import build_world


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_adding_the_same_membership_at_once_make_one():
    world = build_world()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(actor):
        try:
            barrier.wait(timeout=10)
            membership_create(
                actor=actor, user=world.outsider, office=world.centre_a, role=Role.TOWNSHIP_CLERK
            )
            outcomes.append("created")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(actor,)) for actor in (world.county_admin, world.township_admin_a)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    memberships = Membership.objects.filter(user=world.outsider)
    assert memberships.count() == 1
    assert MembershipEvent.objects.filter(membership__user=world.outsider).count() == 1
    assert sorted(outcomes) in (["created", "created"], ["created", "refused"])
