"""The Tencent Cloud SMS adapter against a local fake of Tencent's SendSms endpoint (no network)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.outbox.gateways.base import DeliveryUnknown
from portal.outbox.gateways.templates import NO_TEMPLATE
from portal.outbox.gateways.tencent import TencentSms
from portal.outbox.models import OutboxMessage
from portal.outbox.senders import SendError
from portal.outbox.services import message_queue, outbox_send_pending

from .fake_sms_providers import FakeProvider, closed_port_url, tencent_error, tencent_ok, tencent_status

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
SERIAL = tencent_ok()["Response"]["SendStatusSet"][0]["SerialNo"]


@pytest.fixture
def tencent(settings, monkeypatch):
    provider = FakeProvider(success=tencent_ok()).start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDtestsecretid")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "test-secret-key")
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.gateways.tencent.TencentSms"
    settings.CUNBAN_SMS_SIGN_NAME = "村办"
    settings.CUNBAN_SMS_TEMPLATES = "one-time-code=1850001:code|minutes\naccepted=1850002:ref|due"
    settings.CUNBAN_SMS_APP_ID = "1400000001"
    settings.CUNBAN_SMS_REGION = ""
    settings.CUNBAN_SMS_ENDPOINT = provider.url
    settings.CUNBAN_SMS_TIMEOUT = 2.0
    yield provider
    provider.stop()


def code_message(**kwargs) -> OutboxMessage:
    values = {
        "to_mobile": "13900000001",
        "body": "您的验证码是 654321，10 分钟内有效。",
        "topic": "one-time-code",
        "reference": "BD-2026-000123",
        "params": {"minutes": 10, "code": "654321"},
    } | kwargs
    message = message_queue(**values)
    assert message is not None
    return message


def test_a_message_is_sent_signed_with_its_template_and_ordered_parameters(tencent):
    message = code_message()

    provider_id = TencentSms().send(message)

    assert provider_id == SERIAL
    [request] = tencent.requests
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    # TC3-HMAC-SHA256, with the secret id and never the secret key.
    authorization = request.headers["authorization"]
    assert authorization.startswith("TC3-HMAC-SHA256 Credential=AKIDtestsecretid/")
    assert "SignedHeaders=" in authorization and "Signature=" in authorization
    assert "test-secret-key" not in str(request.headers) + request.body.decode()
    body = request.json()
    assert body["PhoneNumberSet"] == ["+8613900000001"]
    assert body["SmsSdkAppId"] == "1400000001"
    assert body["SignName"] == "村办"
    assert body["TemplateId"] == "1850001"
    assert body["TemplateParamSet"] == ["654321", "10"]  # the listed order: {1} code, {2} minutes
    assert body["SessionContext"] == str(message.pk)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (
            tencent_status("InvalidParameterValue.IncorrectPhoneNumber"),
            "InvalidParameterValue.IncorrectPhoneNumber",
        ),
        (
            tencent_error("FailedOperation.TemplateIncorrectOrUnapproved"),
            "FailedOperation.TemplateIncorrectOrUnapproved",
        ),
        (
            tencent_error("FailedOperation.SignatureIncorrectOrUnapproved"),
            "FailedOperation.SignatureIncorrectOrUnapproved",
        ),
        (
            tencent_status("FailedOperation.InsufficientBalanceInSmsPackage"),
            "FailedOperation.InsufficientBalanceInSmsPackage",
        ),
        (tencent_status("FailedOperation.PhoneNumberInBlacklist"), "FailedOperation.PhoneNumberInBlacklist"),
    ],
)
def test_a_refusal_retrying_cannot_mend_gives_up_keeping_the_code(tencent, answer, code):
    tencent.reply(answer)

    with pytest.raises(SendError) as error:
        TencentSms().send(code_message())

    assert error.value.permanent
    assert error.value.code == code


@pytest.mark.parametrize(
    ("status", "answer", "code"),
    [
        (
            200,
            tencent_status("LimitExceeded.PhoneNumberThirtySecondLimit"),
            "LimitExceeded.PhoneNumberThirtySecondLimit",
        ),
        (200, tencent_error("RequestLimitExceeded"), "RequestLimitExceeded"),
        (200, tencent_error("InternalError.Timeout"), "InternalError.Timeout"),
        (200, tencent_error("AuthFailure.SecretIdNotFound"), "AuthFailure.SecretIdNotFound"),
        (502, {"message": "bad gateway"}, "ServerNetworkError"),
    ],
)
def test_throttling_and_server_errors_are_retried(tencent, status, answer, code):
    tencent.reply(answer, status=status)

    with pytest.raises(SendError) as error:
        TencentSms().send(code_message())

    assert not error.value.permanent
    assert error.value.code == code
    assert len(tencent.requests) == 1


def test_an_unreachable_endpoint_is_retried(tencent, settings):
    settings.CUNBAN_SMS_ENDPOINT = closed_port_url()

    with pytest.raises(SendError) as error:
        TencentSms().send(code_message())

    assert not error.value.permanent and error.value.code == "network"


def test_a_read_timeout_is_not_a_send_error(tencent):
    tencent.reply(tencent_ok(), delay=3.5)

    with pytest.raises(DeliveryUnknown):
        TencentSms().send(code_message())
    assert len(tencent.requests) == 1


def test_a_message_without_a_configured_template_is_given_up_without_a_call(tencent):
    with pytest.raises(SendError) as error:
        TencentSms().send(code_message(topic="approved"))

    assert error.value.permanent and error.value.code == NO_TEMPLATE
    assert tencent.requests == []


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("CUNBAN_SMS_APP_ID", "", "CUNBAN_SMS_APP_ID"),
        ("CUNBAN_SMS_TEMPLATES", "accepted=1850002", "must list the variables of accepted"),
        ("CUNBAN_SMS_SIGN_NAME", " ", "CUNBAN_SMS_SIGN_NAME"),
    ],
)
def test_an_incomplete_configuration_stops_the_run(tencent, settings, setting, value, words):
    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured, match=words):
        TencentSms()


def test_through_the_outbox(tencent):
    sent = code_message()
    balance = code_message(to_mobile="13900000002")
    busy = code_message(to_mobile="13900000003")
    tencent.reply(tencent_ok("serial-1"))
    tencent.reply(tencent_status("FailedOperation.InsufficientBalanceInSmsPackage", "套餐包余量不足"))
    tencent.reply(tencent_error("RequestLimitExceeded", "请求的次数超过了频率限制"))

    report = outbox_send_pending()

    assert (report.sent, report.failed, report.abandoned) == (1, 1, 1)
    for message in (sent, balance, busy):
        message.refresh_from_db()
    assert sent.status == Status.SENT and sent.provider_id == "serial-1"
    assert balance.status == Status.ABANDONED
    assert balance.provider_code == "FailedOperation.InsufficientBalanceInSmsPackage"
    assert busy.status == Status.FAILED and busy.provider_code == "RequestLimitExceeded"
    assert [r.json()["PhoneNumberSet"] for r in tencent.requests] == [
        ["+8613900000001"],
        ["+8613900000002"],
        ["+8613900000003"],
    ]
