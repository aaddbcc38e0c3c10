"""The certificate as a person holds it: the PDF's text, its A4 page, its size, and the QR code
read off the rendered page and followed to the public check."""

import subprocess
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from certificates import services
from certificates.printing import certificate_pdf
from certificates.tokens import check_code
from tests.certificates.conftest import pdf_text, qr_codes

pytestmark = pytest.mark.django_db


def follow(client, url: str):
    """Open a QR code's address on this site (the code holds the public base URL)."""
    assert url.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/verify/")
    return client.get(urlsplit(url).path)


class TestCertificatePdf:
    def test_the_text_has_the_holder_item_office_serial_and_date(self, approve, residents, world):
        certificate = approve("dibao", "a1")
        text = pdf_text(certificate_pdf(certificate))
        for expected in (
            "最低生活保障金领取证",
            residents["a1"].id_number_masked,
            "张小明",
            "最低生活保障审核确认",
            world.centre_a.name,
            f"受{world.d1.name}委托",
            certificate.licence_number,
            certificate.application.number,
            f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日",
            "核验码 " + check_code(certificate.licence_number)[:4],
        ):
            assert expected in text, expected
        assert residents["a1"].id_number not in text

    def test_it_is_one_a4_page_under_60_kb(self, approve):
        data = certificate_pdf(approve("dibao", "a1"))
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "Pages:           1" in info
        assert "595.2" in info and "841.8" in info  # A4 in points
        assert len(data) < 60_000

    def test_a_long_certificate_name_is_printed_whole(self, approve):
        text = pdf_text(certificate_pdf(approve("housing", "a1")))
        assert "农村宅基地批准书、乡村建设规划许可证" in text.replace(" ", "")

    def test_the_qr_code_opens_a_genuine_check(self, client, approve):
        certificate = approve("dibao", "a1")
        codes = qr_codes(certificate_pdf(certificate))
        assert codes == [f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{certificate.token}/"]
        response = follow(client, codes[0])
        assert response.status_code == 200
        body = response.content.decode()
        assert "真实有效" in body and certificate.licence_number in body
        assert "张*明" in body and "张小明" not in body

    def test_the_qr_code_carries_no_personal_data(self, approve, residents):
        certificate = approve("dibao", "a1")
        (code,) = qr_codes(certificate_pdf(certificate))
        for personal in ("张", residents["a1"].id_number_masked[-4:], residents["a1"].mobile[-4:]):
            assert personal not in code

    def test_an_altered_token_is_not_genuine(self, client, approve):
        certificate = approve("dibao", "a1")
        (code,) = qr_codes(certificate_pdf(certificate))
        last = code.rstrip("/")[-1]
        altered = code.rstrip("/")[:-1] + ("a" if last != "a" else "b") + "/"
        body = follow(client, altered).content.decode()
        assert "不是真实证照" in body and certificate.licence_number not in body

    def test_an_altered_serial_is_not_genuine(self, client, approve):
        first, second = approve("dibao", "a1"), approve("dibao", "a1")
        # the first paper's check code typed with the second paper's serial
        response = client.post(
            reverse("verify:form"),
            {"serial": second.licence_number, "code": check_code(first.licence_number)},
        )
        assert "不是真实证照" in response.content.decode()

    def test_a_revoked_certificate_checks_as_revoked_and_prints_as_revoked(self, client, approve, world):
        certificate = approve("dibao", "a1")
        (code,) = qr_codes(certificate_pdf(certificate))
        services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="信息有误")
        certificate.refresh_from_db()
        body = follow(client, code).content.decode()
        assert "已撤销" in body and "真实有效" not in body
        text = pdf_text(certificate_pdf(certificate))
        assert f"本证已于{certificate.revoked_at.year}年" in text and "撤销，不再有效" in text
