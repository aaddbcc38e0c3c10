"""The same form sent 50 times (issue 8, part 3): the assistant's filing POST with its form token,
and the villager's public wish with its token, replayed concurrently (five threads at once,
ten each, on their own connections) and one after another; each makes one application or item."""

import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from approvals.models import Application, ApplicationEvent
from approvals.states import Act, State
from ledger.models import LedgerEvent, LedgerItem
from ledger.states import Act as LedgerAct
from tests.approvals.conftest import items, png_upload, residents  # noqa: F401
from tests.factories import make_id_number
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPLAYS = 50
THREADS = 5


def replay(send, *, concurrently: bool) -> list[int]:
    """Call `send()` REPLAYS times, in THREADS threads released together or one after another;
    the status codes, and any exception other than a page as an error."""
    statuses: list[int] = []
    errors: list[str] = []
    if not concurrently:
        return [send() for _ in range(REPLAYS)]
    barrier = threading.Barrier(THREADS)

    def run() -> None:
        try:
            barrier.wait(timeout=60)
            statuses.extend(send() for _ in range(REPLAYS // THREADS))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    return statuses


@pytest.mark.parametrize("concurrently", [True, False], ids=["concurrent", "sequential"])
def test_a_filing_post_sent_50_times_makes_one_application(items, world, concurrently, capsys):  # noqa: F811
    """The start form with its client_token, the villager typed in, every file and "submit"."""
    started = time.monotonic()
    dibao_item = items["dibao"]
    token = str(uuid.uuid4())
    id_number = make_id_number(order=777)
    url = reverse("approvals:start", args=[dibao_item.pk])
    materials = [m for m in dibao_item.materials.all() if m.required and not m.may_be_missing]
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(world.assistant_a1)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        clients.append(client)
    local = threading.local()

    def send() -> int:
        client = getattr(local, "client", None) or clients.pop()
        local.client = client
        data = {
            "client_token": token,
            "name": "王秀英",
            "id_number": id_number,
            "mobile": "13711112222",
            "request_note": "申请低保",
            "consent": png_upload("授权委托书.png"),
            "submit": "1",
            **{f"material_{m.pk}": png_upload(f"{m.name}.png") for m in materials},
        }
        return client.post(url, data).status_code

    statuses = replay(send, concurrently=concurrently)
    assert len(statuses) == REPLAYS
    assert set(statuses) <= {200, 302}  # a page (the form, the receipt), never a server error
    application = Application.objects.get(client_token=token)
    assert Application.objects.count() == 1
    assert application.state == State.SUBMITTED
    assert ApplicationEvent.objects.filter(application=application, act=Act.CREATE).count() == 1
    assert ApplicationEvent.objects.filter(application=application, act=Act.SUBMIT).count() == 1
    with capsys.disabled():
        mode = "concurrent" if concurrently else "sequential"
        print(
            f"\n{REPLAYS} {mode} replays of one filing POST: {Application.objects.count()} application, "
            f"1 submitted event; statuses {sorted(set(statuses))}; {time.monotonic() - started:.1f}s"
        )


@pytest.mark.parametrize("concurrently", [True, False], ids=["concurrent", "sequential"])
def test_a_public_wish_sent_50_times_registers_one_item(world, concurrently, capsys):
    """The villager's wish form (no login) with its client_token, from one address."""
    started = time.monotonic()
    token = str(uuid.uuid4())
    url = reverse("promises:wish_form")
    local = threading.local()

    def send() -> int:
        client = getattr(local, "client", None) or Client(REMOTE_ADDR="192.0.2.9")
        local.client = client
        data = {
            "client_token": token,
            "name": "赵玉兰",
            "mobile": "13812345678",
            "village": world.village_a2.pk,
            "kind": "wish",
            "need": "孩子上学需要一个新书包",
        }
        return client.post(url, data).status_code

    statuses = replay(send, concurrently=concurrently)
    assert statuses == [302] * REPLAYS  # each one is told it is registered, none is refused
    item = LedgerItem.objects.get(client_token=token)
    assert LedgerItem.objects.count() == 1
    assert LedgerEvent.objects.filter(item=item, act=LedgerAct.REGISTER).count() == 1
    with capsys.disabled():
        mode = "concurrent" if concurrently else "sequential"
        print(
            f"\n{REPLAYS} {mode} replays of one public wish: {LedgerItem.objects.count()} item "
            f"({item.number}), 1 register event; {time.monotonic() - started:.1f}s"
        )
