"""Senders that misbehave on purpose, configured by dotted path like a real adapter."""

import time

from portal.outbox.senders import MemorySender, SendError, SmsGateway


class RefusingSender(SmsGateway):
    """A gateway that is down: every message is refused and may be retried."""

    calls = 0

    def send(self, message) -> str:
        RefusingSender.calls += 1
        raise SendError("gateway answered 503")


class InvalidNumberSender(SmsGateway):
    def send(self, message) -> str:
        raise SendError("isv.MOBILE_NUMBER_ILLEGAL", permanent=True)


class TimeoutSender(SmsGateway):
    """Raises something that is not a SendError: did the provider get it? Nobody knows."""

    def send(self, message) -> str:
        raise TimeoutError("read timed out")


class SlowSender(MemorySender):
    """Delivers after a pause, so concurrent workers overlap while a message is in flight."""

    def send(self, message) -> str:
        time.sleep(0.01)
        return super().send(message)


class PeekingSender(SmsGateway):
    """Records the message's status as the database has it while the sender holds it."""

    seen: list[str] = []

    def send(self, message) -> str:
        from portal.outbox.models import OutboxMessage

        PeekingSender.seen.append(OutboxMessage.objects.get(pk=message.pk).status)
        return "peek-1"


class NotAGateway:
    def send(self, message) -> str:
        return "x"
