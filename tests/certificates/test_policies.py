"""The certificate policy's role × certificate × action table, asked directly (no pages).

    at_a    低保 of village A1, approved at centre A      (centre A has a supervisor)
    at_b    低保 of village B1, approved at centre B      (centre B has none)
    at_d1   临时救助 of village A1, approved at department D1

Each row names who may; everyone else of the cast may not. The list must agree with the single
answer, and `users_with_permission_for_instance` must name exactly the people.
"""

import pytest

from approvals.states import Who
from certificates import policies
from certificates.policies import certificate_policy
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.approvals.test_policies import EVERYONE
from tests.certificates.conftest import approve, certified  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

SEE_A1_AT_A = {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"}

TABLE = {
    "at_a": {
        policies.VIEW: SEE_A1_AT_A,
        policies.DOWNLOAD: SEE_A1_AT_A,
        policies.PRINT: {"clerk_a", "supervisor_a"},
        policies.REVOKE: {"supervisor_a"},
        policies.REISSUE: {"supervisor_a"},
    },
    "at_b": {
        policies.VIEW: {"assistant_b1", "clerk_b", "county_admin"},
        policies.PRINT: {"clerk_b"},
        policies.REVOKE: set(),  # no supervisor at centre B: nobody revokes there
    },
    "at_d1": {
        policies.VIEW: {"assistant_a1", "officer_d1", "county_admin", "township_admin_a"},
        policies.PRINT: {"officer_d1"},
        policies.REVOKE: {"officer_d1"},  # a department has no supervisor: its officers
    },
}


@pytest.fixture
def certificates(approve):  # noqa: F811
    return {"at_a": approve("dibao", "a1"), "at_b": approve("dibao", "b1"), "at_d1": approve("relief", "a1")}


@pytest.mark.django_db
def test_the_table_of_who_may_do_what_to_which_certificate(world, certificates):
    wrong = []
    for name, rows in TABLE.items():
        certificate = certificates[name]
        for action, allowed in rows.items():
            for person in EVERYONE:
                user = getattr(world, person)
                answer = certificate_policy.user_has_permission_for_instance(user, action, certificate)
                listed = certificate_policy.instances_user_has_permission_for(user, action).filter(
                    pk=certificate.pk
                )
                if answer != (person in allowed):
                    wrong.append(f"{person} {action} {name}: {answer}")
                if listed.exists() != answer:
                    wrong.append(f"{person} {action} {name}: listed {listed.exists()}, answered {answer}")
            if action in (policies.PRINT, policies.REVOKE, policies.REISSUE):
                users = certificate_policy.users_with_permission_for_instance(action, certificate)
                named = set(users.values_list("username", flat=True))
                if named != allowed:
                    wrong.append(f"users with {action} on {name}: {sorted(named)}")
    assert wrong == []


@pytest.mark.django_db
def test_the_revoker_is_recorded_in_their_capacity(world, certificates):
    assert certificate_policy.capacity_for(world.supervisor_a, policies.REVOKE, certificates["at_a"]) is (
        Who.SUPERVISOR
    )
    assert certificate_policy.capacity_for(world.officer_d1, policies.REVOKE, certificates["at_d1"]) is (
        Who.HANDLER
    )
    assert certificate_policy.capacity_for(world.clerk_a, policies.REVOKE, certificates["at_a"]) is None


@pytest.mark.django_db
def test_a_revoked_certificate_is_neither_printed_nor_revoked_again(world, certificates):
    from certificates.services import certificate_revoke

    revoked = certificate_revoke(
        actor=world.supervisor_a, certificate=certificates["at_a"], reason="姓名有误"
    )
    for action in (policies.PRINT, policies.REVOKE):
        assert not certificate_policy.instances_user_has_permission_for(world.supervisor_a, action).filter(
            pk=revoked.pk
        )
        assert not certificate_policy.user_has_permission_for_instance(world.supervisor_a, action, revoked)
    assert certificate_policy.instances_user_has_permission_for(world.assistant_a1, policies.VIEW).filter(
        pk=revoked.pk
    )


@pytest.mark.django_db
def test_who_may_open_the_print_page(world, certificates):
    may = {p for p in EVERYONE if certificate_policy.user_has_permission(getattr(world, p), policies.PRINT)}
    assert may == {"clerk_a", "supervisor_a", "clerk_b", "officer_d1"}
