"""The public check: genuine, expired, revoked or not genuine; counted on the certificate;
guessing limited; nothing shown that the paper does not print."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from certificates import services
from certificates.models import CertificateCheck
from certificates.tokens import check_code, normalise_serial

pytestmark = pytest.mark.django_db


def check_by_form(client, serial: str, code: str, **extra):
    return client.post(reverse("verify:form"), {"serial": serial, "code": code}, **extra)


class TestVerificationPage:
    def test_a_typed_serial_and_code_verify(self, client, approve):
        certificate = approve("dibao", "a1")
        response = check_by_form(client, certificate.licence_number, check_code(certificate.licence_number))
        body = response.content.decode()
        assert response.status_code == 200 and "真实有效" in body
        for shown in (certificate.item_title, certificate.issuer_name, "张*明", certificate.licence_number):
            assert shown in body

    def test_it_shows_nothing_the_paper_does_not(self, client, approve, residents):
        certificate = approve("dibao", "a1")
        body = client.get(reverse("verify:token", args=[certificate.token])).content.decode()
        for hidden in (
            "张小明",
            residents["a1"].id_number,
            residents["a1"].mobile,
            certificate.application.number,
        ):
            assert hidden not in body

    @pytest.mark.parametrize(
        "typed",
        [
            "{prefix}[{year}]{n}",
            "{prefix}({year})第{n:03d}号",
            " {prefix} 【{year}】 {n} 号",
            "{prefix}（{year}）{n}",
        ],
    )
    def test_brackets_spaces_and_leading_zeros_do_not_matter(self, typed, client, approve, world):
        certificate = approve("dibao", "a1")
        year = certificate.issued_on.year
        value = typed.format(prefix=world.centre_a.short_name, year=year, n=1)
        assert normalise_serial(value) == certificate.licence_number
        code = check_code(certificate.licence_number)
        assert "真实有效" in check_by_form(client, value, f"{code[:4]} {code[4:]}").content.decode()

    def test_a_wrong_code_is_not_genuine_and_keeps_what_was_typed(self, client, approve):
        certificate = approve("dibao", "a1")
        response = check_by_form(client, certificate.licence_number, "12345678")
        assert "不是真实证照" in response.content.decode()
        response = check_by_form(client, certificate.licence_number, "12")
        assert response.status_code == 400
        body = response.content.decode()
        assert "请输入二维码下方的 8 位数字" in body and certificate.licence_number in body

    def test_an_invented_token_is_not_genuine(self, client, approve):
        approve("dibao", "a1")
        for token in ("a" * 26, "not-a-token", "x" * 200):
            response = client.get(reverse("verify:token", args=[token]))
            assert response.status_code == 200 and "不是真实证照" in response.content.decode()

    def test_an_expired_certificate_says_so(self, client, approve):
        certificate = approve("dibao", "a1")  # valid 12 months
        with time_machine.travel(certificate.valid_until + datetime.timedelta(days=1)):
            body = client.get(reverse("verify:token", args=[certificate.token])).content.decode()
        assert "已过期" in body and "真实有效" not in body

    def test_a_revoked_certificate_gives_the_revocation_date(self, client, approve, world):
        certificate = approve("dibao", "a1")
        services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="信息有误")
        body = client.get(reverse("verify:token", args=[certificate.token])).content.decode()
        assert "已撤销" in body and f"{datetime.date.today():%Y-%m-%d}" in body
        assert "信息有误" not in body  # the reason is the office's, not the public's

    def test_every_check_is_counted_on_the_certificate(self, client, approve):
        certificate = approve("dibao", "a1")
        client.get(reverse("verify:token", args=[certificate.token]))
        check_by_form(client, certificate.licence_number, check_code(certificate.licence_number))
        check_by_form(client, certificate.licence_number, "00000000")
        client.get(reverse("verify:token", args=["b" * 26]))
        outcomes = list(
            CertificateCheck.objects.filter(certificate=certificate)
            .order_by("pk")
            .values_list("outcome", "via")
        )
        assert outcomes == [("valid", "qr"), ("valid", "form"), ("not_genuine", "form")]
        assert CertificateCheck.objects.filter(certificate=None, outcome="not_genuine").count() == 1

    def test_wrong_guesses_from_one_address_are_limited(self, client, approve):
        certificate = approve("dibao", "a1")
        for n in range(services.FAILURES_PER_ADDRESS_PER_DAY):
            client.get(
                reverse("verify:token", args=[f"{n:02d}".replace("0", "a").replace("1", "b") + "c" * 24])
            )
        response = client.get(reverse("verify:token", args=[certificate.token]))
        assert response.status_code == 429 and "明天再试" in response.content.decode()
        other = client.get(reverse("verify:token", args=[certificate.token]), REMOTE_ADDR="10.0.0.9")
        assert "真实有效" in other.content.decode()

    def test_wrong_codes_for_one_serial_are_limited(self, client, approve):
        certificate = approve("dibao", "a1")
        for n in range(services.FAILURES_PER_SERIAL_PER_DAY):
            check_by_form(client, certificate.licence_number, f"{n:08d}", REMOTE_ADDR=f"10.0.1.{n}")
        right = check_code(certificate.licence_number)
        response = check_by_form(client, certificate.licence_number, right, REMOTE_ADDR="10.0.2.1")
        assert response.status_code == 429
        # the QR code still works: its token is not guessable
        assert "真实有效" in client.get(reverse("verify:token", args=[certificate.token])).content.decode()

    def test_the_pages_are_small_and_need_no_script(self, client, approve):
        certificate = approve("dibao", "a1")
        form = client.get(reverse("verify:form"))
        result = client.get(reverse("verify:token", args=[certificate.token]))
        for response in (form, result):
            assert len(response.content) < 8_000
            assert "no-store" in response["Cache-Control"]  # a check result names a person: never kept
        assert '<form method="post"' in form.content.decode()
