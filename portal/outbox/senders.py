"""SMS senders: the one place the outbox meets a text-message provider.

`settings.CUNBAN_SMS_BACKEND` names the class (a dotted path); `get_sender()` makes one for each
sending run. The adapters for Aliyun SMS and Tencent Cloud SMS are in `portal.outbox.gateways`
(docs/notifications.md); another provider gets a subclass of `SmsGateway`. The senders here
never touch the network:

- `ConsoleSender` (the default) logs a masked line per message: nothing reaches a phone;
- `FileSender` appends one JSON line per message to `settings.CUNBAN_SMS_FILE`, for the demo;
- `MemorySender` keeps the messages in `memory_outbox`, for the test suite.
"""

import abc
import itertools
import json
import logging
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import OutboxMessage

logger = logging.getLogger(__name__)


class SendError(Exception):
    """The provider did not take the message. Raise it from `SmsGateway.send`.

    The message is retried later with backoff, unless `permanent` is true (an invalid or
    blacklisted number, a template the provider refuses): then it is abandoned at once.
    Raise it only when you know the message was *not* accepted; any other exception is taken
    to mean "unknown" and the message is abandoned rather than risk sending it twice.
    `code` is the provider's own error code (isv.AMOUNT_NOT_ENOUGH, FailedOperation.…), kept on
    the message so an administrator can look it up in the provider's console.
    """

    def __init__(self, message: str, *, permanent: bool = False, code: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SmsGateway(abc.ABC):
    """The interface a provider adapter implements.

    One instance serves one sending run (`outbox_send_pending`), called once per message and
    from one thread, so an adapter may keep an HTTP session on `self`. Read credentials from
    settings or the environment in `__init__`; raise `ImproperlyConfigured` there when they
    are missing, so the first run fails loudly instead of every message failing quietly.
    """

    @abc.abstractmethod
    def send(self, message: "OutboxMessage") -> str:
        """Hand `message.body` to the provider for `message.to_mobile`; return its message id.

        Use a timeout on every network call. Raise `SendError` when the provider refused the
        message or could not be reached (retried later), `SendError(..., permanent=True)` when
        retrying cannot help. Return only once the provider has accepted the message.
        """


class ConsoleSender(SmsGateway):
    """Writes each message to standard output and the log, with the number masked."""

    def send(self, message: "OutboxMessage") -> str:
        provider_id = f"console-{uuid.uuid4().hex[:12]}"
        line = f"[SMS {message.to_mobile_masked}] {message.body}"
        sys.stdout.write(line + "\n")
        logger.info("console SMS %s: %s", provider_id, line)
        return provider_id


class FileSender(SmsGateway):
    """Appends one JSON object per message to the file named by `settings.CUNBAN_SMS_FILE`.

    The file holds whole mobile numbers: keep it out of anything served or shared."""

    def __init__(self) -> None:
        self.path = getattr(settings, "CUNBAN_SMS_FILE", "")
        if not self.path:
            raise ImproperlyConfigured("FileSender needs CUNBAN_SMS_FILE: the file to append messages to.")

    def send(self, message: "OutboxMessage") -> str:
        provider_id = f"file-{uuid.uuid4().hex[:12]}"
        record = {
            "id": provider_id,
            "at": timezone.now().isoformat(),
            "to": message.to_mobile,
            "topic": message.topic,
            "reference": message.reference,
            "body": message.body,
        }
        try:
            # One write of one line per message: appends from several workers do not interleave.
            with open(self.path, "a", encoding="utf-8") as file:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as error:
            raise SendError(f"cannot write to {self.path}: {error}") from error
        return provider_id


@dataclass(frozen=True)
class MemorySms:
    """What `MemorySender` remembers of one message."""

    to_mobile: str
    body: str
    topic: str
    reference: str
    provider_id: str


# Every message "sent" by MemorySender in this process. Tests clear it between tests.
memory_outbox: list[MemorySms] = []
_memory_ids = itertools.count(1)
_memory_lock = threading.Lock()


class MemorySender(SmsGateway):
    """Keeps messages in `memory_outbox` (thread-safe), for tests."""

    def send(self, message: "OutboxMessage") -> str:
        with _memory_lock:
            provider_id = f"memory-{next(_memory_ids)}"
            memory_outbox.append(
                MemorySms(
                    to_mobile=message.to_mobile,
                    body=message.body,
                    topic=message.topic,
                    reference=message.reference,
                    provider_id=provider_id,
                )
            )
        return provider_id


def get_sender_class() -> type[SmsGateway]:
    """The class named by `settings.CUNBAN_SMS_BACKEND`; ImproperlyConfigured if it is no gateway."""
    path = settings.CUNBAN_SMS_BACKEND
    try:
        sender_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"CUNBAN_SMS_BACKEND {path!r} cannot be imported: {error}") from error
    if not (isinstance(sender_class, type) and issubclass(sender_class, SmsGateway)):
        raise ImproperlyConfigured(f"CUNBAN_SMS_BACKEND {path!r} is not a subclass of SmsGateway.")
    return sender_class


def get_sender() -> SmsGateway:
    """A new sender of the configured class, for one sending run."""
    return get_sender_class()()
