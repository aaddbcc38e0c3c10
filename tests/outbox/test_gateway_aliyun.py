"""The Aliyun SMS adapter against a local fake of Aliyun's SendSms endpoint (no network)."""

import datetime
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.outbox.gateways.aliyun import AliyunSms
from portal.outbox.gateways.base import DeliveryUnknown
from portal.outbox.gateways.templates import MISSING_PARAMETER, NO_TEMPLATE
from portal.outbox.models import OutboxMessage
from portal.outbox.senders import SendError
from portal.outbox.services import message_queue, outbox_send_pending

from .fake_sms_providers import ALIYUN_OK, FakeProvider, aliyun_refusal, closed_port_url

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
TEMPLATES = (
    "one-time-code=SMS_465000001:code|minutes, accepted=SMS_465000002, staff-overdue=SMS_465000003:ref|due"
)


@pytest.fixture
def aliyun(settings, monkeypatch):
    provider = FakeProvider(success=ALIYUN_OK).start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTestKeyId")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret")
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.gateways.aliyun.AliyunSms"
    settings.CUNBAN_SMS_SIGN_NAME = "村办"
    settings.CUNBAN_SMS_TEMPLATES = TEMPLATES
    settings.CUNBAN_SMS_REGION = "cn-hangzhou"
    settings.CUNBAN_SMS_ENDPOINT = provider.url
    settings.CUNBAN_SMS_TIMEOUT = 2.0
    yield provider
    provider.stop()


def code_message(**kwargs) -> OutboxMessage:
    values = {
        "to_mobile": "13900000001",
        "body": "您的验证码是 123456，10 分钟内有效。",
        "topic": "one-time-code",
        "reference": "BD-2026-000123",
        "params": {"code": "123456", "minutes": 10},
    } | kwargs
    message = message_queue(**values)
    assert message is not None
    return message


def test_a_message_is_sent_with_its_template_signature_and_parameters(aliyun):
    message = code_message()

    provider_id = AliyunSms().send(message)

    assert provider_id == ALIYUN_OK["BizId"]
    [request] = aliyun.requests
    assert request.headers["x-acs-action"] == "SendSms"
    assert request.query["PhoneNumbers"] == "13900000001"
    assert request.query["SignName"] == "村办"
    assert request.query["TemplateCode"] == "SMS_465000001"
    assert json.loads(request.query["TemplateParam"]) == {"code": "123456", "minutes": "10"}
    assert request.query["OutId"] == str(message.pk)
    # Signed with the access key (ACS3-HMAC-SHA256), the secret never sent.
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI5tTestKeyId")
    assert "test-secret" not in json.dumps(request.headers) + str(request.query)


def test_without_a_variable_list_every_parameter_goes_by_name(aliyun):
    message = code_message(topic="accepted", params={"due": "2026-12-20"})

    AliyunSms().send(message)

    assert json.loads(aliyun.requests[0].query["TemplateParam"]) == {
        "ref": "BD-2026-000123",
        "due": "2026-12-20",
    }


@pytest.mark.parametrize(
    "code",
    [
        "isv.MOBILE_NUMBER_ILLEGAL",  # bad number
        "isv.SMS_TEMPLATE_ILLEGAL",  # template not approved
        "isv.SMS_SIGNATURE_ILLEGAL",  # signature invalid
        "isv.AMOUNT_NOT_ENOUGH",  # balance
        "isv.DAY_LIMIT_CONTROL",  # the number's quota for the day is used up
        "isv.BLACK_KEY_CONTROL_LIMIT",  # a blacklisted word in a template value
    ],
)
def test_a_refusal_retrying_cannot_mend_gives_up_keeping_the_code(aliyun, code):
    aliyun.reply(aliyun_refusal(code))

    with pytest.raises(SendError) as error:
        AliyunSms().send(code_message())

    assert error.value.permanent
    assert error.value.code == code


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, aliyun_refusal("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控")),  # throttled
        (400, aliyun_refusal("Throttling.User", "Request was denied due to user flow control.")),
        (503, aliyun_refusal("ServiceUnavailable", "The request has failed due to a temporary failure.")),
        (
            500,
            aliyun_refusal("InternalError", "The request processing has failed due to some unknown error."),
        ),
        (200, aliyun_refusal("isp.SYSTEM_ERROR")),
    ],
)
def test_throttling_and_server_errors_are_retried(aliyun, status, body):
    aliyun.reply(body, status=status)

    with pytest.raises(SendError) as error:
        AliyunSms().send(code_message())

    assert not error.value.permanent
    assert error.value.code == body["Code"]
    assert len(aliyun.requests) == 1  # the SDK does not retry by itself: the outbox decides


def test_an_unreachable_endpoint_is_retried(aliyun, settings):
    settings.CUNBAN_SMS_ENDPOINT = closed_port_url()

    with pytest.raises(SendError) as error:
        AliyunSms().send(code_message())

    assert not error.value.permanent
    assert error.value.code == "network"


def test_a_read_timeout_is_not_a_send_error(aliyun):
    """The request went out: retrying could text twice, so the outbox must abandon it."""
    aliyun.reply(ALIYUN_OK, delay=3.5)

    with pytest.raises(DeliveryUnknown):
        AliyunSms().send(code_message())
    assert len(aliyun.requests) == 1


def test_a_message_without_a_configured_template_is_given_up_without_a_call(aliyun):
    with pytest.raises(SendError) as error:
        AliyunSms().send(code_message(topic="rejected"))

    assert error.value.permanent and error.value.code == NO_TEMPLATE
    assert "'rejected'" in str(error.value)
    assert aliyun.requests == []


def test_a_missing_template_variable_is_given_up_without_a_call(aliyun):
    with pytest.raises(SendError) as error:
        AliyunSms().send(code_message(params={"code": "123456"}))

    assert error.value.permanent and error.value.code == MISSING_PARAMETER
    assert "'minutes'" in str(error.value)
    assert aliyun.requests == []


def test_missing_credentials_stop_the_run_before_any_message(aliyun, monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    with pytest.raises(ImproperlyConfigured, match="ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        AliyunSms()


class TestThroughTheOutbox:
    def test_each_outcome_is_recorded(self, aliyun, django_user_model):
        sent = code_message()
        bad_number = code_message(to_mobile="13900000002")
        throttled = code_message(to_mobile="13900000003")
        unknown = code_message(to_mobile="13900000004")
        no_template = code_message(to_mobile="13900000005", topic="returned")
        aliyun.reply(ALIYUN_OK)
        aliyun.reply(aliyun_refusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))
        aliyun.reply(aliyun_refusal("Throttling.User"), status=400)
        aliyun.reply(ALIYUN_OK, delay=3.5)
        now = timezone.now()

        report = outbox_send_pending(now=now)

        assert (report.sent, report.failed, report.abandoned) == (1, 1, 3)
        for message in (sent, bad_number, throttled, unknown, no_template):
            message.refresh_from_db()
        assert sent.status == Status.SENT and sent.provider_id == ALIYUN_OK["BizId"]
        assert sent.provider_code == "" and sent.last_error == ""
        assert bad_number.status == Status.ABANDONED
        assert bad_number.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
        assert "非法手机号" in bad_number.last_error
        assert throttled.status == Status.FAILED and throttled.provider_code == "Throttling.User"
        assert throttled.next_attempt_at == now + datetime.timedelta(minutes=1)
        assert unknown.status == Status.ABANDONED and "DeliveryUnknown" in unknown.last_error
        assert no_template.status == Status.ABANDONED and no_template.provider_code == NO_TEMPLATE
        assert [r.query["PhoneNumbers"] for r in aliyun.requests] == [
            "13900000001",
            "13900000002",
            "13900000003",
            "13900000004",
        ]

    def test_a_staff_account_gets_the_staff_template(self, aliyun, django_user_model):
        clerk = django_user_model.objects.create_user(
            username="clerk-sms", password="x", mobile="13900000009"
        )
        message_queue(
            to_mobile="",
            to_user=clerk,
            body="[村办] Overdue: BD-2026-000123 was due on 2026-12-01.",
            topic="overdue",
            reference="BD-2026-000123",
            params={"due": "2026-12-01"},
        )

        report = outbox_send_pending()

        assert report.sent == 1
        [request] = aliyun.requests
        assert request.query["TemplateCode"] == "SMS_465000003"
        assert request.query["PhoneNumbers"] == "13900000009"
        assert json.loads(request.query["TemplateParam"]) == {"ref": "BD-2026-000123", "due": "2026-12-01"}
