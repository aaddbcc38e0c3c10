"""Our Standard Webhooks signatures against the `standardwebhooks` library: theirs verifies
ours, ours verifies theirs, and a changed body, id, secret or an old timestamp fails both."""

import datetime
import json

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import webhook_signing as signing

AT = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
BODY = json.dumps({"type": "ledger.item.changed", "data": {"state": "done"}}, ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def _clock():
    # The library checks the timestamp against its own clock.
    with time_machine.travel(AT, tick=False):
        yield


def test_a_new_secret_is_whsec_and_32_bytes():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(Webhook(secret)._whsecret) == 32
    assert secret != signing.new_secret()


def test_the_library_verifies_our_signature():
    secret = signing.new_secret()
    headers = signing.sign(secrets_=secret, msg_id="msg_1", at=AT, body=BODY)
    assert headers["webhook-timestamp"] == str(int(AT.timestamp()))
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_we_verify_the_librarys_signature():
    secret = signing.new_secret()
    theirs = Webhook(secret).sign("msg_2", AT, BODY)
    headers = {
        "Webhook-Id": "msg_2",
        "Webhook-Timestamp": str(int(AT.timestamp())),
        "Webhook-Signature": theirs,
    }
    signing.verify(secret=secret, headers=headers, body=BODY, now=AT)
    assert signing.signature(secret, "msg_2", int(AT.timestamp()), BODY) == theirs


def test_two_secrets_while_rotating_each_verify():
    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.sign(secrets_=[old, new], msg_id="msg_3", at=AT, body=BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers)
        signing.verify(secret=secret, headers=headers, body=BODY, now=AT)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b, s: (h, b + b" ", s),
        lambda h, b, s: ({**h, "webhook-id": "msg_other"}, b, s),
        lambda h, b, s: (h, b, signing.new_secret()),
        lambda h, b, s: ({**h, "webhook-timestamp": str(int(AT.timestamp()) - 600)}, b, s),
        lambda h, b, s: ({k: v for k, v in h.items() if k != "webhook-signature"}, b, s),
    ],
    ids=["body", "id", "secret", "old timestamp", "no signature"],
)
def test_a_tampered_delivery_fails_both(tamper):
    secret = signing.new_secret()
    headers, body, key = tamper(signing.sign(secrets_=secret, msg_id="msg_4", at=AT, body=BODY), BODY, secret)
    with pytest.raises(WebhookVerificationError):
        Webhook(key).verify(body, headers)
    with pytest.raises(signing.SignatureError):
        signing.verify(secret=key, headers=headers, body=body, now=AT)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        signing.sign(secrets_=signing.new_secret(), msg_id="m", at=AT.replace(tzinfo=None), body=BODY)
