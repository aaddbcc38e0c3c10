"""Demo requests ledger (民情台账 / 微心愿): in every demo village, a request waiting to be taken on,
one in progress on time, one overdue, one done and waiting for the villager's confirmation, and
one closed (销号); in the demo assistant's village also one the villager sent back ("not done")
and one cancelled as a duplicate.

Each item is a short story told as steps on past working days through `ledger.services`, with
the clock set back to each step's moment (`portal.demo.applications.clock_at`), so numbers,
promises, overdue marks and histories come out exactly as the services make them. In 郝各庄镇 the
demo supervisor assigns (交办) to the clerk, a village assistant or a volunteer organisation; in
the other townships, which have no demo centre staff, the village assistants claim (认领). Some
villagers sent their wish on the public form, some confirm online, some through their assistant.

An item is found again by its fixed `client_token`, so loading the demo twice creates nothing
twice. Text messages stay pending in the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils import timezone

from ledger import services
from ledger.models import Helper, LedgerItem
from portal.offices.models import OfficeKind
from portal.people.models import Membership, User
from portal.people.roles import Role
from portal.places.models import Region, RegionLevel

from . import county_data
from .applications import Days, clock_at

DEMO_NAMESPACE = uuid.UUID("0d5f2a61-9b7e-4c3a-8e21-6a4b9c7d1f35")


def item_token(village_code: str, story: str) -> uuid.UUID:
    """The `client_token` of a demo item (how a second load recognises it)."""
    return uuid.uuid5(DEMO_NAMESPACE, f"demo-ledger:{village_code}:{story}")


@dataclass(frozen=True)
class Wish:
    kind: str  # need | wish
    need: str
    promise: str
    note: str
    done: str


# What villagers ask for, and what was promised: rotated through the villages.
WISHES = (
    Wish(
        "need",
        "村东头的路灯坏了半个月，晚上老人出门看不见路。",
        "三个工作日内更换路灯灯头",
        "已报镇供电所，灯头已到货。",
        "路灯已换好，晚上能亮。",
    ),
    Wish(
        "wish",
        "家里养了二十只羊，老伴住院，想找人帮忙卖掉。",
        "联系收购商上门收羊",
        "已联系两家收购商，周末上门看羊。",
        "羊已按市价卖出，款已到账。",
    ),
    Wish(
        "wish",
        "孙子上三年级，书包破了，想要一个新书包和文具。",
        "镇妇联送新书包和一套文具",
        "书包和文具已备好。",
        "书包文具已送到家。",
    ),
    Wish(
        "need",
        "村委会门口的健身器材坏了一个，孩子玩时容易受伤。",
        "联系厂家维修健身器材",
        "厂家已答应下周派人来修。",
        "器材已修好，加固了底座。",
    ),
    Wish(
        "wish",
        "老人眼睛花了，想要一副老花镜。",
        "志愿者带老人验光并配送老花镜",
        "已约好镇卫生院验光。",
        "老花镜已配好送到。",
    ),
    Wish(
        "need",
        "胡同里的排水沟堵了，下雨就积水。",
        "组织清理疏通排水沟",
        "已安排保洁员和钩机。",
        "排水沟已疏通，雨后不再积水。",
    ),
    Wish(
        "wish",
        "一个人住，希望有人隔几天来看看，帮着买点药。",
        "网格员每周上门探访一次并代购药品",
        "已排进网格员探访表。",
        "已连续探访四周，老人满意。",
    ),
    Wish(
        "wish",
        "想学在网上卖自家种的小米。",
        "安排参加镇电商培训班",
        "已报名下期电商培训。",
        "已参加培训，网店开张。",
    ),
    Wish(
        "need",
        "村里到镇上的班车早上太早，老人看病赶不上。",
        "协调公交公司增加一班上午车",
        "已向区交通局反映。",
        "上午九点已加开一班车。",
    ),
    Wish(
        "wish",
        "家里的老式电视收不到台了，想装个机顶盒。",
        "志愿者上门安装户户通机顶盒",
        "机顶盒已领到。",
        "已装好，能收三十多个台。",
    ),
)

SURNAMES = "王李张刘陈杨赵黄周吴孙马朱胡郭何高林"
GIVEN = (
    "桂兰",
    "建国",
    "秀英",
    "德福",
    "玉珍",
    "志强",
    "海燕",
    "春生",
    "凤琴",
    "长顺",
    "淑珍",
    "国庆",
    "丽华",
)


@dataclass(frozen=True)
class Step:
    """`act` on working day `day` (0 = the last working day before today; negative = after it),
    at `at` o'clock. `until` is the promised date as a `day`."""

    act: str
    day: int
    at: str
    until: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Story:
    key: str
    online: bool  # sent on the public form (else registered by the assistant)
    steps: tuple[Step, ...]
    home_only: bool = False  # only in the demo assistant's own village


S = Step
STORIES = (
    Story("waiting", True, (S("register", 1, "19:40"),)),
    Story(
        "on-time",
        False,
        (S("register", 6, "10:10"), S("promise", 5, "09:30", until=-6), S("note", 2, "16:00")),
    ),
    Story(
        "overdue",
        False,
        (S("register", 14, "15:20"), S("promise", 13, "10:00", until=4), S("note", 9, "11:30")),
    ),
    Story(
        "done",
        True,
        (
            S("register", 11, "20:15"),
            S("promise", 10, "09:00", until=3),
            S("note", 6, "15:00"),
            S("done", 2, "17:10"),
        ),
    ),
    Story(
        "closed",
        False,
        (
            S("register", 22, "09:40"),
            S("promise", 21, "10:30", until=14),
            S("note", 18, "14:20"),
            S("done", 15, "16:00"),
            S("confirm", 14, "19:30"),
        ),
    ),
    Story(
        "reopened",
        False,
        (
            S("register", 18, "11:00"),
            S("promise", 17, "09:20", until=-2),
            S("done", 9, "15:40"),
            S("not_done", 8, "10:15", text="下雨后排水沟又堵了，没有彻底疏通。"),
            S("note", 5, "14:00"),
        ),
        home_only=True,
    ),
    Story(
        "cancelled",
        True,
        (S("register", 7, "21:05"), S("cancel", 6, "09:10", text="与本村另一条登记重复，已合并办理。")),
        home_only=True,
    ),
)
del S


@dataclass
class _Run:
    days: object
    supervisor: object
    clerk: object
    items: dict


def _villager(index: int) -> tuple[str, str]:
    name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]
    return name, f"1390004{index:04d}"


def _story_steps(stories: tuple[Story, ...], home: bool):
    return [story for story in stories if home or not story.home_only]


def load_demo_ledger(
    progress: Callable[[str], None] = print, *, village_codes: Collection[str] | None = None
) -> int:
    """Tell every demo story not yet in the database; return how many items were created.

    Run after the offices, the staff and the calendars exist (the end of `load_demo`).
    `village_codes` limits the stories to those villages (the date sweep in the tests tells
    them in a few villages only, to check many dates quickly); each item keeps the wish, helper
    and way of confirming it has in the whole demo."""
    villages = {v.code: v for v in Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent")}
    home_township = county_data.TOWNSHIPS[0]["code"]
    home_village = county_data.TOWNSHIPS[0]["villages"][0]["code"]
    planned = []
    index = 0
    for township in county_data.TOWNSHIPS:
        for village_data in township["villages"]:
            village = villages.get(village_data["code"])
            if village is None or (village_codes is not None and village.code not in village_codes):
                index += len(_story_steps(STORIES, village_data["code"] == home_village))
                continue
            for story in _story_steps(STORIES, village.code == home_village):
                planned.append((village, story, index))
                index += 1
    tokens = {item_token(village.code, story.key) for village, story, _n in planned}
    existing = set(LedgerItem.objects.filter(client_token__in=tokens).values_list("client_token", flat=True))
    to_load = [
        (village, story, n)
        for village, story, n in planned
        if item_token(village.code, story.key) not in existing
    ]
    if not to_load:
        progress(f"ledger: all {len(planned)} demo items already loaded")
        return 0

    assistants = {}  # village pk -> its first current assistant
    for membership in (
        Membership.objects.current()
        .filter(role=Role.VILLAGE_ASSISTANT, office__kind=OfficeKind.STATION)
        .select_related("user", "office")
        .order_by("-pk")
    ):
        assistants[membership.office.region_id] = membership.user
    run = _Run(
        days=Days(timezone.localdate()),
        supervisor=User.objects.get(username="demo_supervisor"),
        clerk=User.objects.get(username="demo_clerk"),
        items={},
    )
    timeline = []
    for village, story, n in to_load:
        for position, step in enumerate(story.steps):
            timeline.append((run.days.moment(step.day, step.at), n, position, village, story, step))
    timeline.sort(key=lambda entry: entry[:3])
    for moment, n, _position, village, story, step in timeline:
        with clock_at(moment):
            _do(
                run, village, story, step, n, assistants.get(village.pk), village.parent.code == home_township
            )
    progress(
        f"ledger: {len(to_load)} demo items in {len({village.pk for village, _s, _n in to_load})} villages "
        "(waiting, in progress, overdue, done awaiting confirmation, closed)"
    )
    return len(to_load)


def _do(run: _Run, village, story: Story, step: Step, n: int, assistant, at_home: bool) -> None:
    wish = WISHES[n % len(WISHES)]
    key = (village.pk, story.key)
    item = run.items.get(key)
    if step.act == "register":
        name, mobile = _villager(n)
        common = {
            "village": village,
            "villager_name": name,
            "villager_mobile": mobile,
            "need": wish.need,
            "kind": wish.kind,
            "client_token": item_token(village.code, story.key),
        }
        if story.online or assistant is None:
            # Each village's villagers use their own phones: one documentation address per village.
            address = f"198.51.100.{(village.pk % 250) + 1}"
            run.items[key] = services.ledger_item_submit(**common, address=address)
        else:
            run.items[key] = services.ledger_item_register(actor=assistant, **common)
        return
    if step.act == "promise":
        promised_on = run.days.day(step.until)
        if at_home:
            # The supervisor spreads the work: the clerk, the village's assistant, a volunteer group.
            choice = n % 3
            if choice == 2:
                run.items[key] = services.ledger_item_assign(
                    actor=run.supervisor,
                    item=item,
                    helper=Helper.ORGANISATION,
                    helper_name="郝各庄镇青年志愿者服务队",
                    promise=wish.promise,
                    promised_on=promised_on,
                )
            else:
                run.items[key] = services.ledger_item_assign(
                    actor=run.supervisor,
                    item=item,
                    to=run.clerk if choice == 0 or assistant is None else assistant,
                    promise=wish.promise,
                    promised_on=promised_on,
                )
        else:
            volunteer = n % 4 == 1
            run.items[key] = services.ledger_item_claim(
                actor=assistant,
                item=item,
                promise=wish.promise,
                promised_on=promised_on,
                helper=Helper.VOLUNTEER if volunteer else Helper.STAFF,
                helper_name="刘志愿" if volunteer else "",
            )
        return
    worker = run.items[key].assignee or (run.supervisor if at_home else assistant)
    if step.act == "note":
        services.ledger_item_note(actor=worker, item=item, comment=wish.note)
    elif step.act == "done":
        run.items[key] = services.ledger_item_mark_done(actor=worker, item=item, comment=wish.done)
    elif step.act == "confirm":
        if n % 2 and assistant is not None:
            run.items[key] = services.ledger_item_record_confirmation(
                actor=assistant, item=item, comment="村民当面确认已办好。"
            )
        else:
            run.items[key] = services.ledger_item_villager_answer(item=item, done=True)
    elif step.act == "not_done":
        run.items[key] = services.ledger_item_villager_answer(item=item, done=False, comment=step.text)
    elif step.act == "cancel":
        run.items[key] = services.ledger_item_cancel(actor=run.supervisor, item=item, reason=step.text)
    else:
        raise RuntimeError(f"unknown demo ledger step {step.act}")
