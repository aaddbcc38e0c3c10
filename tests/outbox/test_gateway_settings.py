"""The provider settings: template entries, parameters stored at queueing, the deploy check."""

import pytest

from portal.outbox.checks import check_sms_provider_configured
from portal.outbox.gateways.templates import Template, templates_parse
from portal.outbox.services import message_queue


def test_template_entries_are_read_with_and_without_variables():
    assert templates_parse(" one-time-code=SMS_1:code|minutes,\n accepted=SMS_2 , staff-overdue=9:") == {
        "one-time-code": Template("SMS_1", ("code", "minutes")),
        "accepted": Template("SMS_2", None),
        "staff-overdue": Template("9", ()),
    }


@pytest.mark.parametrize("spec", ["accepted", "accepted=", "=SMS_1", "a=SMS_1,a=SMS_2", "a=SMS_1:co-de"])
def test_a_bad_template_entry_is_refused(spec):
    with pytest.raises(ValueError):
        templates_parse(spec)


@pytest.mark.django_db
def test_the_parameters_and_template_are_stored_with_the_message(django_user_model):
    villager = message_queue(
        to_mobile="13900000001",
        body="验证码 123456",
        topic="one-time-code",
        reference="BD-1",
        params={"code": "123456", "minutes": 10, "note": None},
    )
    clerk = django_user_model.objects.create_user(username="clerk-params", password="x")
    staff = message_queue(to_mobile="", to_user=clerk, body="逾期", topic="overdue", reference="BD-1")
    named = message_queue(
        to_mobile="13900000001", body="代码", topic="contact-change", template="contact-code"
    )

    assert villager.template_key == "one-time-code"
    assert villager.template_params == {"ref": "BD-1", "code": "123456", "minutes": "10", "note": ""}
    assert staff.template_key == "staff-overdue" and staff.template_params == {"ref": "BD-1"}
    assert named.template_key == "contact-code" and named.template_params == {}


@pytest.mark.parametrize(
    "kwargs", [{"params": {"not a name": "x"}}, {"template": "not a slug"}, {"template": "x" * 41}]
)
@pytest.mark.django_db
def test_bad_template_arguments_are_the_callers_mistake(kwargs):
    with pytest.raises(ValueError):
        message_queue(to_mobile="13900000001", body="x", topic="accepted", **kwargs)


@pytest.fixture
def aliyun_configured(settings, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.gateways.aliyun.AliyunSms"
    settings.CUNBAN_SMS_SIGN_NAME = "村办"
    settings.CUNBAN_SMS_TEMPLATES = "one-time-code=SMS_1:code"
    settings.CUNBAN_SMS_ENDPOINT = ""
    settings.CUNBAN_SMS_TIMEOUT = 10.0


def test_a_configured_provider_passes_the_deploy_check(aliyun_configured):
    assert check_sms_provider_configured(None) == []


def test_the_deploy_check_names_what_is_missing(aliyun_configured, settings, monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    settings.CUNBAN_SMS_TEMPLATES = ""

    messages = check_sms_provider_configured(None)

    assert {m.id for m in messages} == {"outbox.E002"}
    text = " ".join(m.msg for m in messages)
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in text and "CUNBAN_SMS_TEMPLATES" in text


def test_the_deploy_check_warns_of_a_plain_http_endpoint(aliyun_configured, settings):
    settings.CUNBAN_SMS_ENDPOINT = "http://sms-gateway.internal:8080"
    assert [m.id for m in check_sms_provider_configured(None)] == ["outbox.W002"]


def test_the_deploy_check_ignores_the_senders_that_reach_no_phone(settings, monkeypatch):
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.senders.ConsoleSender"
    assert check_sms_provider_configured(None) == []
