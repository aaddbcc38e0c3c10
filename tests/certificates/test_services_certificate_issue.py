"""Approving an item that results in a certificate issues one, in the same transaction."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from approvals import services
from approvals.models import ApplicationEvent
from approvals.states import Act
from certificates import tokens
from certificates.models import Certificate
from services_catalog.models import ServiceItemPage

pytestmark = pytest.mark.django_db


class TestCertificateIssue:
    def test_approving_issues_a_certificate_with_the_holder_item_and_office(self, approve, world, residents):
        certificate = approve("dibao", "a1")
        application = certificate.application
        assert certificate.licence_type_name == "最低生活保障金领取证"
        assert certificate.licence_type_code == "120115-JF-001"
        assert certificate.holder_name == "张小明"
        assert certificate.holder_id_masked == residents["a1"].id_number_masked
        assert certificate.item_title == "最低生活保障审核确认"
        assert certificate.issuing_office == world.centre_a
        assert certificate.issuer_name == world.centre_a.name
        assert certificate.decision == "准予"
        assert certificate.decided_on == certificate.issued_on == datetime.date.today()
        assert certificate.issued_by == world.clerk_a
        assert application.events.filter(act=Act.ISSUE_CERTIFICATE).count() == 1

    def test_entrustment_names_the_department_in_whose_name_it_is_issued(self, approve, world):
        certificate = approve("dibao", "a1")  # 低保 is entrusted (委托) by 区民政局
        assert certificate.entrusting_department == world.d1
        assert certificate.entrusting_name == world.d1.name
        assert certificate.delegation_document == "宝坻政发〔2024〕12号"

    def test_authorisation_issues_in_the_townships_own_name(self, approve):
        certificate = approve("housing", "a1")  # 宅基地 is authorised (授权)
        assert certificate.entrusting_department is None and certificate.entrusting_name == ""

    def test_a_county_department_issues_what_it_decides(self, approve, world):
        certificate = approve("relief", "a1")
        assert certificate.issuing_office == world.d1
        assert certificate.licence_number.startswith(f"{world.d1.short_name}〔")
        assert certificate.entrusting_name == ""

    def test_serials_count_per_office_and_year(self, approve, world):
        first, second = approve("dibao", "a1"), approve("dibao", "a1")
        in_b = approve("dibao", "b1")
        year = datetime.date.today().year
        assert first.licence_number == f"{world.centre_a.short_name}〔{year}〕1号"
        assert second.licence_number == f"{world.centre_a.short_name}〔{year}〕2号"
        assert in_b.licence_number == f"{world.centre_b.short_name}〔{year}〕1号"

    def test_a_new_year_starts_at_one(self, approve, world):
        with time_machine.travel(datetime.datetime(2026, 12, 31, 10, 0), tick=False):
            december = approve("dibao", "a1")
        with time_machine.travel(datetime.datetime(2027, 1, 4, 10, 0), tick=False):
            january = approve("dibao", "a1")
        assert december.licence_number.endswith("〔2026〕1号")
        assert january.licence_number.endswith("〔2027〕1号")

    def test_validity_runs_the_items_months_less_a_day(self, approve):
        with time_machine.travel(datetime.datetime(2026, 3, 31, 10, 0), tick=False):
            certificate = approve("dibao", "a1")
        assert certificate.valid_from == datetime.date(2026, 3, 31)
        assert certificate.valid_until == datetime.date(2027, 3, 30)

    def test_an_item_without_an_end_date_gives_none(self, approve):
        assert approve("housing", "a1").valid_until is None

    def test_an_item_without_a_certificate_issues_none(self, cases, items, world):
        application = cases.accepted("dibao", "a1")  # `items` alone: no certificate name
        services.application_approve(actor=world.clerk_a, application=application)
        assert not Certificate.objects.exists()
        assert not application.events.filter(act=Act.ISSUE_CERTIFICATE).exists()

    def test_a_refusal_issues_none(self, cases, certified, world):
        application = cases.accepted("dibao", "a1")
        services.application_reject(
            actor=world.clerk_a, application=application, reason="收入超标", basis="第九条"
        )
        assert not Certificate.objects.exists()

    def test_the_token_and_check_code_are_keyed_digests_of_the_serial(self, approve):
        certificate = approve("dibao", "a1")
        assert certificate.token == tokens.certificate_token(certificate.licence_number)
        assert tokens.token_matches(certificate.licence_number, certificate.token)
        assert not tokens.token_matches(certificate.licence_number + "x", certificate.token)
        code = tokens.check_code(certificate.licence_number)
        assert len(code) == 8 and code.isdigit()
        assert "张" not in certificate.token and certificate.holder_id_masked[-4:] not in certificate.token

    def test_a_certificate_cannot_be_changed_or_deleted(self, approve):
        certificate = approve("dibao", "a1")
        certificate.holder_name = "李四"
        with pytest.raises(ValidationError):
            certificate.save()
        with pytest.raises(ValidationError):
            certificate.save(update_fields=["holder_name"])
        with pytest.raises(ValidationError):
            certificate.delete()

    def test_a_failing_issue_rolls_the_approval_back(self, cases, certified, world, monkeypatch):
        application = cases.accepted("dibao", "a1")

        def broken(*args, **kwargs):
            raise RuntimeError("sequence table unavailable")

        monkeypatch.setattr("certificates.services._next_serial", broken)
        with pytest.raises(RuntimeError):
            services.application_approve(actor=world.clerk_a, application=application)
        application.refresh_from_db()
        assert application.state == "accepted"
        assert not ApplicationEvent.objects.filter(application=application, act=Act.APPROVE).exists()

    def test_the_item_name_is_copied_so_a_later_rename_changes_no_paper(self, approve, certified):
        certificate = approve("dibao", "a1")
        ServiceItemPage.objects.filter(pk=certified["dibao"].pk).update(certificate_name="新名称")
        certificate.refresh_from_db()
        assert certificate.licence_type_name == "最低生活保障金领取证"
