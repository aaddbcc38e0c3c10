"""Concurrent certificate work on PostgreSQL, each thread on its own connection: serials stay
unique per office and year, one application gets one certificate, one revocation wins."""

from functools import partial

import pytest

from approvals import services as application_services
from approvals.models import ApplicationEvent
from approvals.states import Act
from certificates import services
from certificates.models import Certificate
from tests.approvals.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_simultaneous_approvals_in_one_office_get_distinct_serials(cases, certified, world):
    applications = [cases.accepted("dibao", "a1") for _ in range(8)]
    outcomes = race(
        *[
            partial(application_services.application_approve, actor=world.clerk_a, application=a)
            for a in applications
        ]
    )
    assert outcomes == ["done"] * 8
    serials = list(Certificate.objects.values_list("licence_number", flat=True))
    assert len(serials) == len(set(serials)) == 8
    numbers = sorted(int(serial.split("〕")[1].rstrip("号")) for serial in serials)
    assert numbers == list(range(1, 9))


def test_two_approvals_of_one_application_issue_one_certificate(cases, certified, world):
    for _ in range(3):
        application = cases.accepted("dibao", "a1")
        version = application.version
        outcomes = race(
            *[
                partial(
                    application_services.application_approve,
                    actor=clerk,
                    application=application,
                    expected_version=version,
                )
                for clerk in (world.clerk_a, world.supervisor_a)
            ]
        )
        assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
        assert "已被处理" in next(o for o in outcomes if o.startswith("refused"))
        assert Certificate.objects.filter(application=application).count() == 1
        assert (
            ApplicationEvent.objects.filter(application=application, act=Act.ISSUE_CERTIFICATE).count() == 1
        )


def test_two_revocations_at_once_one_wins(approve, world):
    certificate = approve("dibao", "a1")
    outcomes = race(
        *[
            partial(
                services.certificate_revoke,
                actor=world.supervisor_a,
                certificate=certificate,
                reason="有误",
                reissue=True,
            )
            for _ in range(2)
        ]
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
    assert Certificate.objects.filter(application=certificate.application).count() == 2  # the old and one new
    assert (
        ApplicationEvent.objects.filter(
            application=certificate.application, act=Act.REVOKE_CERTIFICATE
        ).count()
        == 1
    )
