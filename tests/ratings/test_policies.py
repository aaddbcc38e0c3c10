"""The rating, rectification and appeal policies' role × object × action table, asked directly.

    bad         a 不满意 rating of a 低保 application of village A1 decided at centre A,
                with its open rectification (centre A) and the supervisor's appeal
    at_b        a 不满意 rating of village B1's application, decided at centre B (no supervisor)
    at_d1       a 不满意 rating of a 临时救助 application of village A1 decided at department D1

Each row names who may; everyone else of the cast may not. Lists agree with single answers.
The revisit (回访) is the county's, never the rated office's (issue 18, gap 10): the table holds
for a county that named no revisit office; `test_the_county_s_revisit_office_revisits` names one.
"""

import pytest

from approvals.states import Who
from portal.people.roles import Role
from portal.people.services import membership_create
from ratings import policies
from ratings import services as rating_services
from ratings.models import Level, QualitySettings
from ratings.policies import appeal_policy, rating_policy, rectification_policy
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.approvals.test_policies import EVERYONE
from tests.factories import UserFactory
from tests.ratings.conftest import bad, decided, rate  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

SEE_A1_AT_A = {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"}
SEE_A1_AT_D1 = {"assistant_a1", "officer_d1", "county_admin", "township_admin_a"}
SEE_B1 = {"assistant_b1", "clerk_b", "county_admin"}
# 回访 is never the rated office's: with no office named by the county, its administrator's.
REVISITS = {"county_admin"}


@pytest.fixture
def cast(bad, decided, rate, world):  # noqa: F811
    appeal = rating_services.appeal_file(
        actor=world.supervisor_a, rating=bad.rating, reason="恶意差评：村民当天已办结，评价与事实不符"
    )
    at_b = rate(decided("b1"), Level.DISSATISFIED, reasons=["slow"])
    at_d1 = rate(decided("a1", "relief"), Level.DISSATISFIED, reasons=["slow"])
    return {
        "rating": {"bad": bad.rating, "at_b": at_b, "at_d1": at_d1},
        "rectification": {
            "bad": bad,
            "at_b": at_b.rectifications.get(),
            "at_d1": at_d1.rectifications.get(),
        },
        "appeal": {"bad": appeal},
    }


TABLE = {
    "rating": {
        "bad": {policies.VIEW: SEE_A1_AT_A, policies.APPEAL: {"supervisor_a"}},
        "at_b": {policies.VIEW: SEE_B1, policies.APPEAL: set()},
        "at_d1": {policies.VIEW: SEE_A1_AT_D1, policies.APPEAL: {"officer_d1"}},
    },
    "rectification": {
        "bad": {
            policies.VIEW: SEE_A1_AT_A,
            policies.ANSWER: {"supervisor_a"},
            policies.REVISIT: REVISITS,
        },
        "at_b": {policies.VIEW: SEE_B1, policies.ANSWER: set(), policies.REVISIT: REVISITS},
        "at_d1": {
            policies.VIEW: SEE_A1_AT_D1,
            policies.ANSWER: {"officer_d1"},
            policies.REVISIT: REVISITS,
        },
    },
    "appeal": {
        "bad": {policies.VIEW: SEE_A1_AT_A, policies.DECIDE: {"county_admin"}},
    },
}

POLICIES = {"rating": rating_policy, "rectification": rectification_policy, "appeal": appeal_policy}
LISTED = {
    "rating": {policies.VIEW, policies.APPEAL},
    "rectification": {policies.VIEW, policies.ANSWER, policies.REVISIT},
    "appeal": {policies.VIEW, policies.DECIDE},
}


@pytest.mark.django_db
def test_the_table_of_who_may_do_what(world, cast):
    wrong = []
    for kind, objects in TABLE.items():
        policy = POLICIES[kind]
        for name, rows in objects.items():
            instance = cast[kind][name]
            for action, allowed in rows.items():
                for person in EVERYONE:
                    user = getattr(world, person)
                    answer = policy.user_has_permission_for_instance(user, action, instance)
                    if answer != (person in allowed):
                        wrong.append(f"{person} {action} {kind} {name}: {answer}")
                    if action in LISTED[kind]:
                        listed = (
                            policy.instances_user_has_permission_for(user, action)
                            .filter(pk=instance.pk)
                            .exists()
                        )
                        if listed != answer:
                            wrong.append(
                                f"{person} {action} {kind} {name}: listed {listed}, answered {answer}"
                            )
    assert wrong == []


@pytest.mark.django_db
def test_the_assistant_records_the_rating_for_the_villager(world, cast):
    application = cast["rating"]["bad"].application
    may = {
        p
        for p in EVERYONE
        if rating_policy.user_has_permission_for_instance(getattr(world, p), policies.RATE, application)
    }
    assert may == {"assistant_a1"}


@pytest.mark.django_db
def test_who_is_told_of_a_rectification(world, cast):
    told = rectification_policy.users_with_permission_for_instance
    rectifications = cast["rectification"]
    assert list(told(policies.ANSWER, rectifications["bad"])) == [world.supervisor_a]
    assert list(told(policies.ANSWER, rectifications["at_d1"])) == [world.officer_d1]
    assert not told(policies.ANSWER, rectifications["at_b"]).exists()
    assert rectification_policy.capacity_for(world.officer_d1, policies.ANSWER, rectifications["at_d1"]) is (
        Who.HANDLER
    )


@pytest.mark.django_db
def test_who_may_open_each_page(world, cast):
    def may(policy, action):
        return {p for p in EVERYONE if policy.user_has_permission(getattr(world, p), action)}

    assert may(rating_policy, policies.SET_RULES) == {"county_admin"}
    assert may(appeal_policy, policies.DECIDE) == {"county_admin"}
    assert may(rectification_policy, policies.ANSWER) == {"supervisor_a", "officer_d1"}
    assert may(rating_policy, policies.SEE_FIGURES) == {
        "supervisor_a",
        "officer_d1",
        "county_admin",
        "township_admin_a",
    }


@pytest.mark.django_db
def test_the_county_s_revisit_office_revisits_never_the_rated_office(world, cast):
    """The county names its 政务服务 office (ds): its officers and administrators record the
    revisit of every office's case but their own; the rated office's supervisor and clerks never.
    Naming D1 shows the exclusion: D1's officer revisits centre A's case, not D1's own."""

    caller = UserFactory(username="caller_ds", name="caller_ds")
    membership_create(actor=None, user=caller, office=world.ds, role=Role.COUNTY_OFFICER)
    rules = QualitySettings.current()
    rules.revisit_office = world.ds
    rules.save()
    everyone = {**{p: getattr(world, p) for p in EVERYONE}, "caller_ds": caller}
    rectifications = cast["rectification"]

    def revisiters(rectification) -> set[str]:
        may = {
            name
            for name, user in everyone.items()
            if rectification_policy.user_has_permission_for_instance(user, policies.REVISIT, rectification)
        }
        listed = {
            name
            for name, user in everyone.items()
            if rectification_policy.instances_user_has_permission_for(user, policies.REVISIT)
            .filter(pk=rectification.pk)
            .exists()
        }
        assert may == listed
        return may

    for name in ("bad", "at_b", "at_d1"):
        assert revisiters(rectifications[name]) == {"caller_ds", "county_admin"}, name
        # and they see what they revisit, the villager's phone with it
        assert rectification_policy.user_has_permission_for_instance(
            caller, policies.VIEW, rectifications[name]
        )

    rules.revisit_office = world.d1
    rules.save()
    assert revisiters(rectifications["bad"]) == {"officer_d1", "county_admin"}  # D1's administrator too
    assert revisiters(rectifications["at_d1"]) == {"county_admin"}  # D1's own case: not D1's officer
