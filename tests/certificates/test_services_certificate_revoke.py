"""Revocation by the issuing centre's supervisor (or the department's officer), with a reason,
in the application's history; a reissue replaces the paper with a corrected one."""

import pytest
from django.urls import reverse

from approvals.states import Act
from certificates import services
from certificates.models import Certificate
from portal.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db


class TestCertificateRevoke:
    def test_the_supervisor_revokes_with_a_reason_into_the_history(self, approve, world):
        certificate = approve("dibao", "a1")
        services.certificate_revoke(
            actor=world.supervisor_a, certificate=certificate, reason="身份证号录入错误"
        )
        certificate.refresh_from_db()
        assert certificate.is_revoked and certificate.revoked_by == world.supervisor_a
        assert certificate.revocation_reason == "身份证号录入错误"
        event = certificate.application.events.get(act=Act.REVOKE_CERTIFICATE)
        assert (event.actor, event.actor_role, event.comment) == (
            world.supervisor_a,
            "supervisor",
            "身份证号录入错误",
        )
        assert event.data["serial"] == certificate.licence_number

    def test_the_villager_and_the_assistant_are_told(self, approve, world):
        from portal.outbox.models import OutboxMessage

        certificate = approve("dibao", "a1")
        services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="有误")
        messages = OutboxMessage.objects.filter(topic=Act.REVOKE_CERTIFICATE)
        villager = messages.get(to_mobile=certificate.application.applicant_mobile)
        assert certificate.licence_number in villager.body and "撤销" in villager.body
        assert messages.filter(to_user=world.assistant_a1).exists()

    @pytest.mark.parametrize(
        "who", ["clerk_a", "assistant_a1", "clerk_b", "officer_d1", "county_admin", "outsider"]
    )
    def test_others_may_not_revoke(self, who, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(NotPermitted):
            services.certificate_revoke(actor=getattr(world, who), certificate=certificate, reason="x")
        certificate.refresh_from_db()
        assert not certificate.is_revoked

    def test_a_county_departments_certificate_is_revoked_by_its_officer(self, approve, world):
        certificate = approve("relief", "a1")
        services.certificate_revoke(actor=world.officer_d1, certificate=certificate, reason="重复发放")
        certificate.refresh_from_db()
        assert certificate.is_revoked

    def test_a_reason_is_required(self, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(DomainError, match="原因"):
            services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="  ")

    def test_revoking_twice_is_refused(self, approve, world):
        certificate = approve("dibao", "a1")
        services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="有误")
        with pytest.raises(DomainError, match="已被处理"):
            services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="有误")
        assert certificate.application.events.filter(act=Act.REVOKE_CERTIFICATE).count() == 1

    def test_a_reissue_gives_a_new_serial_that_replaces_the_old(self, approve, world, residents):
        old = approve("dibao", "a1")
        residents["a1"].name = "张晓明"  # the villager's record corrected first
        residents["a1"].save(update_fields=["name"])
        new = services.certificate_revoke(
            actor=world.supervisor_a, certificate=old, reason="姓名有误", reissue=True
        )
        old.refresh_from_db()
        assert old.is_revoked and new.replaces == old and not new.is_revoked
        assert new.licence_number != old.licence_number and new.token != old.token
        assert new.holder_name == "张晓明" and old.holder_name == "张小明"
        acts = list(
            old.application.events.filter(
                act__in=[Act.ISSUE_CERTIFICATE, Act.REVOKE_CERTIFICATE]
            ).values_list("act", flat=True)
        )
        assert acts == [Act.ISSUE_CERTIFICATE, Act.REVOKE_CERTIFICATE, Act.ISSUE_CERTIFICATE]
        assert Certificate.objects.filter(application=old.application, revoked_at=None).count() == 1


class TestRevokePage:
    def test_the_supervisor_sees_the_button_and_the_clerk_does_not(self, client, approve, world):
        certificate = approve("dibao", "a1")
        detail = reverse("approvals:detail", args=[certificate.application_id])
        revoke = reverse("certificates:revoke", args=[certificate.application_id, certificate.pk])
        client.force_login(world.supervisor_a)
        assert revoke in client.get(detail).content.decode()
        client.force_login(world.clerk_a)
        assert revoke not in client.get(detail).content.decode()

    def test_a_missing_reason_keeps_the_form_and_what_was_ticked(self, client, approve, world):
        certificate = approve("dibao", "a1")
        client.force_login(world.supervisor_a)
        url = reverse("certificates:revoke", args=[certificate.application_id, certificate.pk])
        response = client.post(url, {"reason": "", "reissue": "on"})
        assert response.status_code == 400
        body = response.content.decode()
        # The project's own words name the field (portal.web.forms), not Django's bare 必需字段.
        assert "请填写“" in body and "必需字段" not in body
        assert 'name="reissue" checked' in body.replace('id="id_reissue" ', "")

    def test_revoke_and_reissue_from_the_page(self, client, approve, world):
        certificate = approve("dibao", "a1")
        client.force_login(world.supervisor_a)
        url = reverse("certificates:revoke", args=[certificate.application_id, certificate.pk])
        response = client.post(url, {"reason": "出生日期有误", "reissue": "on"}, follow=True)
        new = Certificate.objects.get(replaces=certificate)
        assert new.licence_number in response.content.decode()

    def test_the_villagers_tracking_page_says_it_is_revoked(self, client, approve, world):
        certificate = approve("dibao", "a1")
        application = certificate.application
        client.post(
            reverse("tracking:form"),
            {"number": application.number, "last4": application.applicant_mobile[-4:]},
        )
        track = reverse("tracking:detail", args=[application.number])
        pdf = reverse("tracking:certificate", args=[application.number, certificate.pk])
        body = client.get(track).content.decode()
        assert certificate.licence_number in body and pdf in body
        services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="有误")
        body = client.get(track).content.decode()
        assert "撤销，不再有效" in body and pdf not in body
        assert client.get(pdf).status_code == 404


def test_the_villager_prints_the_certificate_from_the_tracking_page(
    client, approve, django_assert_max_num_queries
):
    from tests.certificates.conftest import pdf_text

    certificate = approve("dibao", "a1")
    application = certificate.application
    client.post(
        reverse("tracking:form"), {"number": application.number, "last4": application.applicant_mobile[-4:]}
    )
    # session, application, certificate (nothing per field); the session's idle stamp written back
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tracking:certificate", args=[application.number, certificate.pk]))
    assert response.status_code == 200 and certificate.licence_number in pdf_text(response.content)
    other = type(client)()
    assert (
        other.get(reverse("tracking:certificate", args=[application.number, certificate.pk])).status_code
        == 302
    )
