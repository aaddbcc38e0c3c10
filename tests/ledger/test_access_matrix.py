"""Role × ledger item × URL: every person of the cast against every kind of item, on every staff
page, photo, step (its GET and its POST), the public print and the villager's page, and the
lists (staff list, CSV export, back office).

The expected outcome of each cell comes from the hand-written tables below (who sees which
item, who holds which capacity on it, which steps its state offers), written from the rules in
docs/ledger.md, never computed from the selectors or services under test.

The cast is tests/conftest.py's world plus assistant_a2 (station A2, township A) and anonymous.
The items are built once for the module through the services, inside a transaction rolled back
at the end; every cell runs in its own savepoint, so a step one cell takes is gone for the next:

  a1_reg     village A1, registered by assistant_a1, not taken on yet
  a1_prog    village A1, assigned by supervisor_a to clerk_a (in progress)
  a1_done    village A1, assigned to assistant_a2 (another village of the township), marked done
  a1_closed  village A1, done and confirmed by the villager (销号)
  a2_reg     village A2, from the public form
  a2_vol     village A2, assigned to a volunteer (no staff assignee)
  b1_prog    village B1, claimed by clerk_b
  b1_done    village B1, claimed by assistant_b1 and marked done

Every item has a photo (sent with it when it was registered).

12 people × 12 URLs × 8 items = 1152 cells (a step's GET and POST make one cell), and
12 people × 3 lists × 8 items = 288 more.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from ledger import services
from ledger.models import Helper, LedgerItem
from ledger.states import Act, State
from portal.people.identity import mask_name
from portal.people.models import User
from tests.compiled import one_row
from tests.conftest import MATRIX_ROLES, build_matrix_cast
from tests.ledger.conftest import checked_photo

pytestmark = pytest.mark.django_db

# -- the hand-written rules ----------------------------------------------------------------------

ROLES = MATRIX_ROLES
ITEMS = ["a1_reg", "a1_prog", "a1_done", "a1_closed", "a2_reg", "a2_vol", "b1_prog", "b1_done"]
IN_A1 = {"a1_reg", "a1_prog", "a1_done", "a1_closed"}
IN_A2 = {"a2_reg", "a2_vol"}
IN_A = IN_A1 | IN_A2
IN_B = {"b1_prog", "b1_done"}

# Who sees which item: a village's assistant its village's; the township centre's clerks and
# supervisor the township's; administrators their region's; whoever a promise names, that item;
# county officers, editors, outsiders and anonymous visitors nothing.
SEES = {
    "assistant_a1": IN_A1,
    "assistant_a2": IN_A2 | {"a1_done"},
    "assistant_b1": IN_B,
    "clerk_a": IN_A,
    "supervisor_a": IN_A,
    "clerk_b": IN_B,
    "officer_d1": set(),
    "editor": set(),
    "county_admin": IN_A | IN_B,
    "township_admin_a": IN_A,
    "outsider": set(),
    "anonymous": set(),
}

# The capacities each person holds on each item: the filer is the village's assistant; the
# handler a clerk or the supervisor of the township centre; the supervisor that centre's; the
# manager an administrator over it; the assignee whoever the promise names.
FILER, HANDLER, SUPERVISOR, MANAGER, ASSIGNEE = "filer", "handler", "supervisor", "manager", "assignee"
AT_A = {
    HANDLER: {"clerk_a", "supervisor_a"},
    SUPERVISOR: {"supervisor_a"},
    MANAGER: {"county_admin", "township_admin_a"},
}
AT_B = {HANDLER: {"clerk_b"}, SUPERVISOR: set(), MANAGER: {"county_admin"}}
CAPACITY = {
    "a1_reg": {**AT_A, FILER: {"assistant_a1"}, ASSIGNEE: set()},
    "a1_prog": {**AT_A, FILER: {"assistant_a1"}, ASSIGNEE: {"clerk_a"}},
    "a1_done": {**AT_A, FILER: {"assistant_a1"}, ASSIGNEE: {"assistant_a2"}},
    "a1_closed": {**AT_A, FILER: {"assistant_a1"}, ASSIGNEE: {"clerk_a"}},
    "a2_reg": {**AT_A, FILER: {"assistant_a2"}, ASSIGNEE: set()},
    "a2_vol": {**AT_A, FILER: {"assistant_a2"}, ASSIGNEE: set()},
    "b1_prog": {**AT_B, FILER: {"assistant_b1"}, ASSIGNEE: {"clerk_b"}},
    "b1_done": {**AT_B, FILER: {"assistant_b1"}, ASSIGNEE: {"assistant_b1"}},
}

# The steps each state offers, and to which capacities (the ledger's life in docs/ledger.md):
# the supervisor assigns; a clerk or the assistant claims; the assignee, the supervisor or the
# assistant write notes and mark it done; only the assistant records the villager's answer;
# the supervisor or an administrator cancels what is not done yet; a closed item is finished.
WORKERS = {ASSIGNEE, SUPERVISOR, FILER}
STEPS = {
    State.REGISTERED: {
        Act.ASSIGN: {SUPERVISOR},
        Act.CLAIM: {HANDLER, FILER},
        Act.NOTE: {SUPERVISOR, FILER},
        Act.CANCEL: {SUPERVISOR, MANAGER},
    },
    State.IN_PROGRESS: {
        Act.ASSIGN: {SUPERVISOR},
        Act.NOTE: WORKERS,
        Act.MARK_DONE: WORKERS,
        Act.CANCEL: {SUPERVISOR, MANAGER},
    },
    State.DONE: {Act.NOTE: WORKERS, Act.RECORD_CONFIRMATION: {FILER}, Act.RECORD_NOT_DONE: {FILER}},
    State.CLOSED: {},
}
STATE_OF = {
    "a1_reg": State.REGISTERED,
    "a1_prog": State.IN_PROGRESS,
    "a1_done": State.DONE,
    "a1_closed": State.CLOSED,
    "a2_reg": State.REGISTERED,
    "a2_vol": State.IN_PROGRESS,
    "b1_prog": State.IN_PROGRESS,
    "b1_done": State.DONE,
}
# What each step does to the item when it is taken (the state it leaves it in).
AFTER = {
    Act.ASSIGN: State.IN_PROGRESS,
    Act.CLAIM: State.IN_PROGRESS,
    Act.MARK_DONE: State.DONE,
    Act.RECORD_CONFIRMATION: State.CLOSED,
    Act.RECORD_NOT_DONE: State.IN_PROGRESS,
    Act.CANCEL: State.CANCELLED,
}
STEP_ACTS = [
    Act.ASSIGN,
    Act.CLAIM,
    Act.NOTE,
    Act.MARK_DONE,
    Act.RECORD_CONFIRMATION,
    Act.RECORD_NOT_DONE,
    Act.CANCEL,
]
URLS = ["detail", "photo", "print", "villager", *(f"act:{act.value}" for act in STEP_ACTS)]


def expected(role: str, key: str, url: str) -> str:
    """The outcome of one cell, from the tables above."""
    if url == "print":
        return "pdf"  # the public A4 list: for everyone, with masked names only
    if url == "villager":
        return "to_lookup"  # a staff login opens no villager's page: only the number + 4 digits do
    if role == "anonymous":
        return "login"
    if key not in SEES[role]:
        return "hidden"
    if url in ("detail", "photo"):
        return "ok"
    act = Act(url.removeprefix("act:"))
    holds = {capacity for capacity, people in CAPACITY[key].items() if role in people}
    if STEPS[STATE_OF[key]].get(act, set()) & holds:
        return "form"
    return "refused"


# Lists (state=all: everything the person may see): who sees which items on each.
LISTS = {
    "list": {role: SEES[role] for role in ROLES},
    "export": {role: SEES[role] for role in ROLES},
    # The back office opens for administrators only (editors have it, but no ledger in it).
    "admin": {"county_admin": IN_A | IN_B, "township_admin_a": IN_A},
}

# -- the module's world --------------------------------------------------------------------------

VILLAGERS = {  # distinct names (and masked names) so that a name on a page points at one item
    "a1_reg": "王建华",
    "a1_prog": "刘秀英",
    "a1_done": "孙德福",
    "a1_closed": "陈志强",
    "a2_reg": "赵玉兰",
    "a2_vol": "周桂芝",
    "b1_prog": "李大山",
    "b1_done": "马秀珍",
}


@dataclass
class Matrix:
    people: dict[str, User]
    items: dict[str, LedgerItem]
    photos: dict[str, int]
    clerks: dict[int, int]  # centre pk -> a clerk of it (a valid choice when assigning)


def build_matrix() -> Matrix:
    world, people = build_matrix_cast()
    assistant_a2 = people["assistant_a2"]
    promised_on = timezone.localdate() + datetime.timedelta(days=7)

    def register(key: str) -> LedgerItem:
        village, assistant = {
            "a1": (world.village_a1, world.assistant_a1),
            "a2": (world.village_a2, None),
            "b1": (world.village_b1, world.assistant_b1),
        }[key[:2]]
        common = {
            "village": village,
            "villager_name": VILLAGERS[key],
            "villager_mobile": f"138{ITEMS.index(key):08d}",
            "need": f"{VILLAGERS[key]}家门口的路灯坏了",
            "photo": checked_photo(f"{key}.png"),
        }
        if assistant is None:
            return services.ledger_item_submit(**common, address="192.0.2.10")
        return services.ledger_item_register(actor=assistant, **common)

    def assign(item, to=None, **kwargs):
        return services.ledger_item_assign(
            actor=world.supervisor_a,
            item=item,
            to=to,
            promise="一周内修好",
            promised_on=promised_on,
            **kwargs,
        )

    def claim(item, who):
        return services.ledger_item_claim(actor=who, item=item, promise="一周内修好", promised_on=promised_on)

    items = {key: register(key) for key in ITEMS}
    assign(items["a1_prog"], world.clerk_a)
    assign(items["a1_done"], assistant_a2)
    services.ledger_item_mark_done(actor=assistant_a2, item=items["a1_done"])
    assign(items["a1_closed"], world.clerk_a)
    services.ledger_item_mark_done(actor=world.clerk_a, item=items["a1_closed"])
    services.ledger_item_villager_answer(item=items["a1_closed"], done=True)
    assign(items["a2_vol"], helper=Helper.VOLUNTEER, helper_name="张志愿")
    claim(items["b1_prog"], world.clerk_b)
    claim(items["b1_done"], world.assistant_b1)
    services.ledger_item_mark_done(actor=world.assistant_b1, item=items["b1_done"])

    items = {key: LedgerItem.objects.get(pk=item.pk) for key, item in items.items()}
    assert {key: item.state for key, item in items.items()} == STATE_OF
    assert {key: item.assignee.username if item.assignee else None for key, item in items.items()} == {
        key: next(iter(CAPACITY[key][ASSIGNEE]), None) for key in ITEMS
    }
    photos = {key: item.photos.get().pk for key, item in items.items()}
    return Matrix(
        people=people,
        items=items,
        photos=photos,
        clerks={world.centre_a.pk: world.clerk_a.pk, world.centre_b.pk: world.clerk_b.pk},
    )


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back when the module is done; every test's own
    savepoint (pytest-django's `db`) undoes what that test changed."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_matrix()
        transaction.set_rollback(True)


# -- checking one cell ---------------------------------------------------------------------------


def _state(item: LedgerItem) -> tuple:
    """Everything a refused request must leave as it was, in one query (compiled once per item:
    tests/compiled.py)."""
    return one_row(
        ("ledger.ledgeritem", item.pk),
        lambda: (
            LedgerItem.objects.filter(pk=item.pk)
            .annotate(n_events=Count("events", distinct=True), n_photos=Count("photos", distinct=True))
            .values_list(
                "state", "version", "assignee_id", "promised_on", "closed_at", "n_events", "n_photos"
            )
        ),
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_shows_nothing_of(response, item: LedgerItem) -> None:
    body = _body(response)
    assert item.number not in body
    assert item.villager_name not in body
    assert mask_name(item.villager_name) not in body
    assert item.need not in body


def _redirects_to(response, url: str) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == url


def _error_message(response) -> bool:
    return any(m.level == message_levels.ERROR for m in get_messages(response.wsgi_request))


def _step_data(item: LedgerItem, act: str, clerks: dict[int, int]) -> dict:
    """What a person filling the step's form correctly would send."""
    data = {"version": item.version}
    promised_on = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    if act == Act.ASSIGN:
        data |= {
            "to": clerks[item.office_id],
            "helper": "staff",
            "promise": "五天内修好",
            "promised_on": promised_on,
        }
    elif act == Act.CLAIM:
        data |= {"helper": "staff", "promise": "五天内修好", "promised_on": promised_on}
    elif act == Act.CANCEL:
        data |= {"reason": "重复登记"}
    else:
        data |= {"comment": "村民说灯还不亮" if act == Act.RECORD_NOT_DONE else "已处理"}
    return data


def _check_denied(response, item: LedgerItem, outcome: str) -> None:
    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
    elif outcome == "hidden":
        assert response.status_code == 404
    else:
        raise AssertionError(f"not a denial: {outcome}")
    _assert_shows_nothing_of(response, item)


def _check_act(client, matrix: Matrix, key: str, act: str, outcome: str) -> None:
    item = LedgerItem.objects.get(pk=matrix.items[key].pk)
    url = reverse("ledger:act", args=[item.pk, act])
    detail = reverse("ledger:detail", args=[item.pk])
    before = _state(item)

    response = client.get(url)
    assert _state(item) == before
    if outcome == "form":
        assert response.status_code == 200
        assert 'name="version"' in _body(response)
    elif outcome == "refused":
        assert _redirects_to(response, detail) and _error_message(response)
    else:
        _check_denied(response, item, outcome)

    response = client.post(url, _step_data(item, act, matrix.clerks))
    after = _state(item)
    if outcome == "form":  # the step is taken: one more event, and the state it leads to
        assert _redirects_to(response, detail), _body(response)[:3000]
        assert after[5] == before[5] + 1
        assert after[0] == AFTER.get(act, before[0])
        return
    assert after == before
    if outcome == "refused":  # the form again, with the service's message
        assert response.status_code == 400
        assert 'role="alert"' in _body(response)
    else:
        _check_denied(response, item, outcome)


def _check_cell(client, matrix: Matrix, key: str, url: str, outcome: str) -> None:
    if url.startswith("act:"):
        _check_act(client, matrix, key, url.removeprefix("act:"), outcome)
        return
    item = LedgerItem.objects.select_related("village").get(pk=matrix.items[key].pk)
    before = _state(item)
    if url == "print":
        response = client.get(reverse("promises:print", args=[item.village.code]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert _state(item) == before
        return
    if url == "villager":
        response = client.get(reverse("promises:item", args=[item.number]))
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
            "promises:track"
        )
        assert item.villager_name not in _body(response) and item.need not in _body(response)
        return
    if url == "photo":
        target = reverse("ledger:photo", args=[item.pk, matrix.photos[key]])
    else:
        target = reverse("ledger:detail", args=[item.pk])
    response = client.get(target)
    assert _state(item) == before
    if outcome == "ok":
        assert response.status_code == 200
        body = _body(response)
        if url == "photo":
            assert response["Content-Type"] == "image/png" and body.startswith("\ufffdPNG")
            assert response["Cache-Control"].startswith("private, no-store")
        else:
            assert item.number in body and item.villager_name in body
    else:
        _check_denied(response, item, outcome)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ROLES)
def test_role_on_url(client, matrix, role, url):
    """One row of the table: this person on this URL of each item (one cell each, each in its
    own savepoint so that an allowed step does not change the next cell's item)."""
    if role != "anonymous":
        client.force_login(matrix.people[role])
    wrong = {}
    for key in ITEMS:
        outcome = expected(role, key, url)
        client.cookies.pop("messages", None)  # messages of the previous cell
        try:
            with transaction.atomic():
                _check_cell(client, matrix, key, url, outcome)
                transaction.set_rollback(True)
        except AssertionError as error:
            wrong[key] = f"expected {outcome}: {error}"
    assert not wrong, "\n".join(f"{key}: {problem}" for key, problem in wrong.items())


LIST_URLS = {
    "list": reverse("ledger:list") + "?state=all",
    "export": reverse("ledger:export") + "?state=all",
    "admin": reverse("ledger_admin:index"),
}


@pytest.mark.parametrize("page", list(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_list(client, matrix, role, page):
    """Each list shows exactly the items the table names, and nothing of the others."""
    if role != "anonymous":
        client.force_login(matrix.people[role])
    response = client.get(LIST_URLS[page])
    assert response.status_code in (200, 302, 403)
    body = _body(response)
    shown = set()
    for key, item in matrix.items.items():
        if page == "admin":
            link = reverse("ledger_admin:inspect", args=[item.pk])
        else:
            link = reverse("ledger:detail", args=[item.pk])
        marks = [item.number in body]
        if page != "export":
            marks.append(f'href="{link}"' in body)
        if any(marks):
            assert all(marks), (key, marks)
            assert item.villager_mobile not in body  # lists never show mobiles
            shown.add(key)
        else:
            _assert_shows_nothing_of(response, item)
    assert shown == LISTS[page].get(role, set())


@pytest.mark.parametrize("role", ROLES)
def test_register_page(client, matrix, role):
    """Only a village's assistant registers (for their own villages)."""
    if role != "anonymous":
        client.force_login(matrix.people[role])
    response = client.get(reverse("ledger:register"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("assistant_a1", "assistant_a2", "assistant_b1"):
        assert response.status_code == 200
        own = {"assistant_a1": "西郝各庄村", "assistant_a2": "东郝各庄村", "assistant_b1": "西霍各庄村"}[role]
        body = _body(response)
        assert own in body
        assert all(name not in body for name in {"西郝各庄村", "东郝各庄村", "西霍各庄村"} - {own})
    else:
        assert response.status_code == 403


def test_an_assistant_cannot_register_for_another_village_by_posting(client, matrix):
    world_village_b1 = matrix.items["b1_prog"].village
    client.force_login(matrix.people["assistant_a1"])
    response = client.post(
        reverse("ledger:register"),
        {
            "client_token": "5b7f0c2e-4f55-4c8e-9a63-0d9f7e0b1a11",
            "name": "外村人",
            "mobile": "13800000000",
            "village": world_village_b1.pk,
            "kind": "wish",
            "need": "x",
        },
    )
    assert response.status_code == 400
    assert not LedgerItem.objects.filter(villager_name="外村人").exists()
