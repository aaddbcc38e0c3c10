"""The ledger on top of the shared world: `ledger` builds items in each state through the
services, as the people would (the assistant registers, the supervisor assigns or a clerk
claims, the worker marks it done, the villager confirms)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ledger import services
from ledger.models import Helper, LedgerItem

VILLAGER_MOBILE = "13812345678"


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def checked_photo(name: str = "photo.png") -> services.CheckedPhoto:
    return services.photo_check(png_upload(name))


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class Ledger:
    """Items in a given state, built through the services. `where` is a1, a2 or b1: A1 and B1
    have an assistant who registers; A2's requests come from the public form."""

    def __init__(self, world):
        self.world = world

    def village(self, where: str):
        return {"a1": self.world.village_a1, "a2": self.world.village_a2, "b1": self.world.village_b1}[where]

    def assistant(self, where: str):
        return {"a1": self.world.assistant_a1, "b1": self.world.assistant_b1}.get(where)

    def registered(
        self,
        where: str = "a1",
        *,
        name: str = "张小明",
        mobile: str = VILLAGER_MOBILE,
        need: str = "村东头路灯坏了",
    ) -> LedgerItem:
        assistant = self.assistant(where)
        if assistant is None:
            return services.ledger_item_submit(
                village=self.village(where),
                villager_name=name,
                villager_mobile=mobile,
                need=need,
                address="192.0.2.1",
            )
        return services.ledger_item_register(
            actor=assistant,
            village=self.village(where),
            villager_name=name,
            villager_mobile=mobile,
            need=need,
        )

    def in_progress(self, where: str = "a1", *, to=None, promised_on=None, **kwargs) -> LedgerItem:
        """A: the supervisor assigns it (to clerk_a unless told otherwise); B: clerk_b claims it."""
        item = self.registered(where, **kwargs)
        promised_on = promised_on or in_days(7)
        if where == "b1":
            return services.ledger_item_claim(
                actor=self.world.clerk_b, item=item, promise="三天内修好路灯", promised_on=promised_on
            )
        return services.ledger_item_assign(
            actor=self.world.supervisor_a,
            item=item,
            to=to or self.world.clerk_a,
            promise="三天内修好路灯",
            promised_on=promised_on,
        )

    def to_volunteer(self, where: str = "a1", *, helper=Helper.VOLUNTEER, helper_name="李志愿", **kwargs):
        item = self.registered(where, **kwargs)
        return services.ledger_item_assign(
            actor=self.world.supervisor_a,
            item=item,
            helper=helper,
            helper_name=helper_name,
            promise="帮老人把羊卖掉",
            promised_on=in_days(5),
        )

    def overdue(self, where: str = "a1", **kwargs) -> LedgerItem:
        item = self.in_progress(where, **kwargs)
        LedgerItem.objects.filter(pk=item.pk).update(promised_on=in_days(-3))
        item.refresh_from_db()
        return item

    def done(self, where: str = "a1", **kwargs) -> LedgerItem:
        item = self.in_progress(where, **kwargs)
        worker = self.world.clerk_b if where == "b1" else item.assignee
        return services.ledger_item_mark_done(actor=worker, item=item, comment="已修好")

    def closed(self, where: str = "a1", **kwargs) -> LedgerItem:
        item = self.done(where, **kwargs)
        return services.ledger_item_villager_answer(item=item, done=True)

    def cancelled(self, where: str = "a1", **kwargs) -> LedgerItem:
        item = self.registered(where, **kwargs)
        actor = self.world.supervisor_a if where != "b1" else self.world.county_admin
        return services.ledger_item_cancel(actor=actor, item=item, reason="重复登记")


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (the msgids), so tests read the rules' own words; pages
    choose their language through the cookie (`villager` fixtures set it)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def ledger(world) -> Ledger:
    return Ledger(world)


def bulk_items(world, count: int, *, where: str = "a1", start: int = 1000) -> list[LedgerItem]:
    """`count` promised items written directly (for lists and counts, not for the rules): a
    third closed, a third in progress (half of them overdue), a third done, each with its own
    villager name, numbered from `start`."""
    from ledger.models import Source
    from ledger.states import State

    village = {"a1": world.village_a1, "a2": world.village_a2, "b1": world.village_b1}[where]
    station = {"a1": world.station_a1, "a2": world.station_a2, "b1": world.station_b1}[where]
    centre = world.centre_b if where == "b1" else world.centre_a
    now = timezone.now()
    rows = []
    for n in range(count):
        state = (State.CLOSED, State.IN_PROGRESS, State.DONE)[n % 3]
        overdue = state == State.IN_PROGRESS and n % 2
        rows.append(
            LedgerItem(
                number=f"W{village.code[:9]}-2000-{start + n:05d}",
                village=village,
                office=centre,
                station=station,
                villager_name=f"批量村民{n:04d}号",
                villager_mobile=f"139{n:08d}",
                need=f"需求{n}",
                source=Source.PUBLIC_FORM,
                state=state,
                promise=f"承诺事项{n}",
                promised_on=in_days(-2 if overdue else 5),
                promised_at=now,
                helper=Helper.STAFF,
                assignee=world.clerk_b if where == "b1" else world.clerk_a,
                assignee_office=centre,
                done_at=now if state != State.IN_PROGRESS else None,
                closed_at=now if state == State.CLOSED else None,
            )
        )
    return LedgerItem.objects.bulk_create(rows)
