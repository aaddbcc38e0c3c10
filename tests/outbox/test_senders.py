"""The senders shipped with the outbox, and the checks on the setting that picks one."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.outbox.checks import check_sms_backend, check_sms_backend_reaches_phones
from portal.outbox.models import OutboxMessage, mask_mobile
from portal.outbox.senders import ConsoleSender, FileSender, SendError, SmsGateway, get_sender


def message(**kwargs) -> OutboxMessage:
    values = {
        "to_mobile": "13900000001",
        "body": "您的申请已受理。",
        "topic": "accepted",
        "reference": "BD-1",
    }
    return OutboxMessage(**(values | kwargs))


def test_the_console_sender_prints_a_masked_number(capsys):
    provider_id = ConsoleSender().send(message())

    assert provider_id.startswith("console-")
    printed = capsys.readouterr().out
    assert "[SMS 139****0001] 您的申请已受理。" in printed
    assert "13900000001" not in printed


def test_the_file_sender_appends_json_lines(settings, tmp_path):
    settings.CUNBAN_SMS_FILE = str(tmp_path / "sms.jsonl")
    sender = FileSender()

    first = sender.send(message())
    sender.send(message(to_mobile="13900000002", body="第二条"))

    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["body"]) for line in lines] == [
        ("13900000001", "您的申请已受理。"),
        ("13900000002", "第二条"),
    ]
    assert lines[0]["id"] == first
    assert lines[0]["topic"] == "accepted" and lines[0]["reference"] == "BD-1"


def test_the_file_sender_needs_a_file(settings):
    settings.CUNBAN_SMS_FILE = ""
    with pytest.raises(ImproperlyConfigured):
        FileSender()


def test_an_unwritable_file_is_a_send_error_to_retry(settings, tmp_path):
    settings.CUNBAN_SMS_FILE = str(tmp_path / "missing-folder" / "sms.jsonl")
    with pytest.raises(SendError) as error:
        FileSender().send(message())
    assert not error.value.permanent


def test_a_gateway_must_implement_send():
    with pytest.raises(TypeError):
        SmsGateway()


def test_get_sender_builds_the_configured_class(settings):
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.senders.ConsoleSender"
    assert isinstance(get_sender(), ConsoleSender)


@pytest.mark.parametrize(
    "path",
    ["portal.outbox.senders.NoSuchSender", "no.such.module.Sender", "tests.outbox.senders.NotAGateway"],
)
def test_a_wrong_setting_is_a_system_check_error(settings, path):
    settings.CUNBAN_SMS_BACKEND = path
    with pytest.raises(ImproperlyConfigured):
        get_sender()
    assert [error.id for error in check_sms_backend(None)] == ["outbox.E001"]


def test_the_deploy_check_notes_a_sender_that_reaches_no_phone(settings):
    settings.CUNBAN_SMS_BACKEND = "portal.outbox.senders.ConsoleSender"
    assert [note.id for note in check_sms_backend_reaches_phones(None)] == ["outbox.I001"]

    settings.CUNBAN_SMS_BACKEND = "tests.outbox.senders.RefusingSender"  # stands in for a real adapter
    assert check_sms_backend_reaches_phones(None) == []
    assert check_sms_backend(None) == []


@pytest.mark.parametrize(("mobile", "masked"), [("13900000001", "139****0001"), ("", ""), ("12345", "*****")])
def test_mask_mobile(mobile, masked):
    assert mask_mobile(mobile) == masked
