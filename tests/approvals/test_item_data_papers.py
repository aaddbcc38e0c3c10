"""The application form's data on paper (issue 19): the certificate prints the lines its item's
form names (保障人数, 月保障金额), copied at issue and never changed; the approval waits for an
office field the certificate prints (核定); the receipt lists what the form says, masked; the
one-time notice and the tracking page mark a line about a form field as the form's.

低保 (dibao) gets the tests' form (tests.item_forms): a household group of people with ID numbers,
a bank account and the office's own 月保障金额; its certificate prints the household's size and
the amount."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals import selectors, services
from approvals.models import Application
from approvals.services import MissingItem
from approvals.states import Act
from certificates import printing
from certificates.models import Certificate
from portal.errors import DomainError
from services_catalog.models import ServiceItemPage
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.certificates.conftest import approve, certified, pdf_text  # noqa: F401
from tests.factories import make_id_number
from tests.item_forms import give_form
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = pytest.mark.django_db

MEMBERS = (("张小明", 101, "本人"), ("王秀英", 102, "配偶"), ("张小红", 103, "子女"))
ACCOUNT = "6228480012345678901"


@pytest.fixture
def form_version(certified, world):  # noqa: F811
    """低保's form (tests.item_forms), written into the page and published as an editor would."""
    # The page as stored (with the certificate `certified` gave it), not the fixture's copy.
    return give_form(ServiceItemPage.objects.get(pk=certified["dibao"].pk))


def answers() -> dict[str, str]:
    raw = {
        "reason": "因病",
        "has_car": "no",
        "bank.bank": "中国农业银行",
        "bank.account": ACCOUNT,
        "bank.holder": "张小明",
    }
    for number, (name, order, relation) in enumerate(MEMBERS):
        raw |= {
            f"household.{number}.member.name": name,
            f"household.{number}.member.id_number": make_id_number(order=order),
            f"household.{number}.member.relation": relation,
            f"household.{number}.monthly_income": "300",
            f"household.{number}.work": "务农",
        }
    return raw


@pytest.fixture
def filed(cases, form_version, world):  # noqa: F811
    """filed("submitted" | "accepted") → a 低保 application of village A1 with the form answered."""

    def _filed(state: str = "accepted") -> Application:
        application = cases.draft("dibao", "a1")
        parsed = services.item_data_save(actor=application.filed_by, application=application, raw=answers())
        assert not parsed.errors, parsed.errors
        application, _ = services.application_submit(actor=application.filed_by, application=application)
        if state == "accepted":
            application = services.application_accept(actor=world.clerk_a, application=application)
        return Application.objects.get(pk=application.pk)

    return _filed


def assess(application: Application, clerk, amount: str = "1280") -> None:
    """The clerk enters the office's 月保障金额 (核定: no reason needed for a first entry)."""
    parsed = services.item_data_correct(
        actor=clerk,
        application=application,
        key="monthly_benefit",
        raw={"monthly_benefit": amount},
        reason="",
    )
    assert not parsed.errors, parsed.errors


class TestCertificateLines:
    def test_the_approval_waits_for_the_amount_the_certificate_prints(self, filed, world):
        application = filed()
        assert Act.APPROVE not in {step.act for step in selectors.steps_for(world.clerk_a, application)}
        with pytest.raises(DomainError, match="月保障金额"):
            services.application_approve(actor=world.clerk_a, application=application)
        assert not Certificate.objects.filter(application=application).exists()
        refusal = selectors.step_refusal(world.clerk_a, application, Act.APPROVE)
        assert refusal is not None and "月保障金额" in refusal

        assess(application, world.clerk_a)
        application.refresh_from_db()
        assert Act.APPROVE in {step.act for step in selectors.steps_for(world.clerk_a, application)}
        services.application_approve(actor=world.clerk_a, application=application)
        certificate = Certificate.objects.get(application=application)
        assert certificate.particulars[0] == ["保障人数", "3"]
        label, text = certificate.particulars[1]
        assert label == "月保障金额" and text.startswith("1,280")

    def test_the_paper_prints_the_lines_after_the_item(self, filed, world, client):
        application = filed()
        assess(application, world.clerk_a)
        services.application_approve(actor=world.clerk_a, application=application)
        certificate = Certificate.objects.get(application=application)
        client.force_login(world.clerk_a)
        response = client.get(reverse("certificates:download", args=[application.pk, certificate.pk]))
        text = pdf_text(response.content)
        lines = {" ".join(line.split()) for line in text.splitlines()}
        assert any(line.startswith("保障人数") and line.endswith(" 3") for line in lines), text
        assert any(line.startswith("月保障金额") and "1,280" in line for line in lines), text
        assert text.index("保障人数") > text.index(certificate.item_title)
        # Public masking: the household's ID numbers and the account never reach the paper.
        assert make_id_number(order=102) not in text and ACCOUNT not in text

    def test_the_lines_are_fixed_at_issue(self, filed, world):
        application = filed()
        assess(application, world.clerk_a)
        services.application_approve(actor=world.clerk_a, application=application)
        certificate = Certificate.objects.get(application=application)
        Application.objects.filter(pk=application.pk).update(
            item_data={"household": [], "monthly_benefit": 1}
        )
        certificate.refresh_from_db()
        assert certificate.particulars[1][1].startswith("1,280")
        certificate.particulars = [["月保障金额", "9,999 元"]]
        with pytest.raises(ValidationError):
            certificate.save()

    def test_the_check_page_shows_the_lines_as_the_paper_does(self, filed, world, client):
        application = filed()
        assess(application, world.clerk_a)
        services.application_approve(actor=world.clerk_a, application=application)
        certificate = Certificate.objects.get(application=application)
        page = client.get(reverse("verify:token", args=[certificate.token])).content.decode()
        assert "保障人数" in page and "1,280" in page
        assert "张小明" not in page

    def test_an_item_without_a_form_issues_as_before(self, approve):  # noqa: F811
        certificate = approve("dibao", "a1")
        assert certificate.particulars == []

    def test_batch_printing_reads_no_more_for_more_certificates(
        self, filed, world, django_assert_max_num_queries
    ):
        """The certificates with their applications (one query) and the ones the clerk may print
        (its permission look-ups): the lines are on the certificate, never read per row."""
        certificates = []
        for count in (2, 6):
            while len(certificates) < count:
                application = filed()
                assess(application, world.clerk_a)
                services.application_approve(actor=world.clerk_a, application=application)
                certificates.append(Certificate.objects.get(application=application))
            ids = [certificate.pk for certificate in certificates]
            out = io.BytesIO()
            with django_assert_max_num_queries(6):
                result = printing.certificates_pdf(user=world.clerk_a, certificate_ids=ids, out=out)
            assert result.pages == count and not result.failures


class TestReceipt:
    def test_it_lists_the_form_section_by_section_masked(self, filed, world, client):
        application = filed("submitted")
        client.force_login(world.assistant_a1)
        page = client.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
        for expected in ("家庭成员", "家庭情况", "低保金发放账户", "家庭成员 3", "张*红", "****8901"):
            assert expected in page, expected
        for _name, order, _relation in MEMBERS:
            assert make_id_number(order=order) not in page
            assert make_id_number(order=order)[-4:] in page
        assert "王秀英" not in page and ACCOUNT not in page
        assert "月保障金额" not in page  # the office's field, not entered yet, is left out

    def test_the_pdf_receipt_lists_it_too(self, filed, world, client):
        application = filed("submitted")
        client.force_login(world.assistant_a1)
        text = pdf_text(client.get(reverse("approvals:receipt_pdf", args=[application.pk])).content)
        joined = "".join(text.split())
        assert "申请表：家庭成员" in joined and "张*红" in joined and "****8901" in joined
        assert make_id_number(order=103) not in joined and ACCOUNT not in joined


class TestNotice:
    def return_with_a_field_line(self, filed, world) -> tuple[Application, object]:
        application = filed("submitted")
        material = application.item.materials.first()
        notice = services.application_return(
            actor=world.clerk_a,
            application=application,
            items=[
                MissingItem(material, "照片模糊"),
                MissingItem(None, "月收入与证明不符", name="家庭成员", field_key="household"),
            ],
        )
        return application, notice

    def test_the_one_time_notice_marks_the_form_line(self, filed, world, client):
        application, notice = self.return_with_a_field_line(filed, world)
        client.force_login(world.clerk_a)
        text = pdf_text(client.get(reverse("approvals:notice_pdf", args=[application.pk, notice.pk])).content)
        joined = "".join(text.split())
        assert "申请表“家庭成员”一项：月收入与证明不符" in joined, text
        assert "照片模糊" in joined

    def test_the_tracking_page_marks_it_too(self, filed, world, client):
        application, _notice = self.return_with_a_field_line(filed, world)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        client.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
        page = client.get(reverse("tracking:detail", args=[application.number])).content.decode()
        assert "申请表: <strong>家庭成员</strong>" in page, page
