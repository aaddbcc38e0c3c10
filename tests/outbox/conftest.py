"""Fixtures for the outbox tests: an empty memory outbox, English messages, test senders."""

import pytest
from django.utils import translation

from portal.outbox import senders


@pytest.fixture(autouse=True)
def empty_memory_outbox():
    """`MemorySender` (the test settings' sender) keeps a module-level list: start each test empty."""
    senders.memory_outbox.clear()
    yield senders.memory_outbox
    senders.memory_outbox.clear()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def sms_backend(settings):
    """Switch the configured sender: `sms_backend("tests.outbox.senders.RefusingSender")`."""

    def use(path: str) -> None:
        settings.CUNBAN_SMS_BACKEND = path

    return use
