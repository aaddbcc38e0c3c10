"""The receipt and the one-time notice on paper, from the same layout, with a QR to tracking."""

import pytest
from django.urls import reverse

from approvals import services
from approvals.services import MissingItem
from tests.certificates.conftest import pdf_text, qr_codes

pytestmark = pytest.mark.django_db


def tracking_qr(application) -> str:
    return f"http://127.0.0.1:8000/track/?number={application.number}&via=qr"


class TestReceiptPdf:
    def test_it_has_the_number_office_and_deadline_and_a_qr_to_tracking(
        self, client, cases, world, residents
    ):
        application = cases.submitted("dibao", "a1")
        client.force_login(world.assistant_a1)
        response = client.get(reverse("approvals:receipt_pdf", args=[application.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for expected in (
            application.number,
            "回执",
            "张*明",
            world.centre_a.name,
            "免费代办",
            residents["a1"].id_number_masked,
        ):
            assert expected in text, expected
        assert "张小明" not in text and residents["a1"].id_number not in text
        assert qr_codes(response.content) == [tracking_qr(application)]

    def test_the_qr_opens_the_tracking_form_with_the_number_filled_in(self, client, cases, world):
        application = cases.submitted("dibao", "a1")
        response = client.get(f"/track/?number={application.number}")
        assert f'value="{application.number}"' in response.content.decode()


class TestNoticePdf:
    def test_the_one_time_notice_lists_every_item_and_cites_the_law_of_its_type(self, client, cases, world):
        application = cases.submitted("dibao", "a1")
        first, second = list(application.item.materials.all())[:2]
        notice = services.application_return(
            actor=world.clerk_a,
            application=application,
            items=[MissingItem(first, "照片模糊，请重新拍摄"), MissingItem(second, "缺户主页")],
        )
        client.force_login(world.clerk_a)
        detail = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
        url = reverse("approvals:notice_pdf", args=[application.pk, notice.pk])
        assert url in detail
        data = client.get(url).content
        text = pdf_text(data)
        for expected in (
            "一次性告知书",
            "1. " + first.name,
            "照片模糊，请重新拍摄",
            "2. " + second.name,
            world.centre_a.name,
        ):
            assert expected in text, expected
        # 低保 is a benefit (行政给付): the government-service rules, never 行政许可法 (wrapped lines joined)
        assert "国发〔2022〕5号" in "".join(text.split())
        assert "行政许可法" not in "".join(text.split())
        assert qr_codes(data) == [tracking_qr(application)]

    def test_another_centre_gets_404(self, client, cases, world):
        application = cases.submitted("dibao", "a1")
        material = application.item.materials.first()
        notice = services.application_return(
            actor=world.clerk_a, application=application, items=[MissingItem(material, "缺")]
        )
        client.force_login(world.clerk_b)
        assert (
            client.get(reverse("approvals:notice_pdf", args=[application.pk, notice.pk])).status_code == 404
        )

    def test_a_long_notice_continues_on_a_second_page(self, client, cases, world):
        application = cases.submitted("dibao", "a1")
        material = application.item.materials.first()
        items = [MissingItem(None, f"第{n}项说明，" * 12, name=f"补充材料{n}") for n in range(1, 13)]
        notice = services.application_return(
            actor=world.clerk_a, application=application, items=[MissingItem(material, "缺"), *items]
        )
        client.force_login(world.clerk_a)
        data = client.get(reverse("approvals:notice_pdf", args=[application.pk, notice.pk])).content
        text = pdf_text(data)
        assert "（续）" in text and "13. 补充材料12" in text
