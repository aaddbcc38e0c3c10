"""`make demo`'s ledger: in every demo village a request waiting, one in progress, one overdue,
one done awaiting the villager's confirmation and one closed, built through the services with
dates that make sense, and a second load that adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from ledger import selectors
from ledger.models import LedgerEvent, LedgerItem, LedgerSequence
from ledger.states import Act, State
from portal.demo.ledger import load_demo_ledger
from portal.people.models import User
from portal.places.models import Region, RegionLevel

COUNTED = (LedgerItem, LedgerEvent, LedgerSequence)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def check_every_village_has_every_kind() -> None:
    today = timezone.localdate()
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    assert villages.count() >= 8
    for village in villages:
        items = list(LedgerItem.objects.filter(village=village))
        states = {item.state for item in items}
        assert {State.REGISTERED, State.IN_PROGRESS, State.DONE, State.CLOSED} <= states, village
        assert any(item.is_overdue(today) for item in items), village
        assert any(item.state == State.IN_PROGRESS and not item.is_overdue(today) for item in items), village
    assert LedgerItem.objects.filter(state=State.CANCELLED).exists()
    assert LedgerItem.objects.filter(reopened_count__gt=0, state=State.IN_PROGRESS).exists()
    assert (
        LedgerEvent.objects.filter(act=Act.ASSIGN).exists()
        and LedgerEvent.objects.filter(act=Act.CLAIM).exists()
    )
    assert LedgerEvent.objects.filter(act=Act.CONFIRM).exists()
    assert LedgerEvent.objects.filter(act=Act.RECORD_CONFIRMATION).exists()
    assert LedgerItem.objects.filter(registered_by__isnull=True).exists()  # from the public form
    assert (
        LedgerItem.objects.filter(helper="organisation").exists()
        and LedgerItem.objects.filter(helper="volunteer").exists()
    )


def check_dates_are_consistent() -> None:
    now = timezone.now()
    for item in LedgerItem.objects.prefetch_related("events"):
        events = list(item.events.all())
        by_time = sorted(events, key=lambda event: (event.at, event.pk))
        assert [e.pk for e in by_time] == sorted(e.pk for e in events), item  # time runs forward
        assert all(event.at < now for event in events)
        assert events[0].act == Act.REGISTER and events[0].at == item.registered_at
        assert item.number.split("-")[1] == str(timezone.localdate(item.registered_at).year)
        if item.promised_at:
            assert timezone.localdate(item.promised_at) <= item.promised_on


def check_each_login_has_work() -> None:
    supervisor, clerk, assistant = (
        User.objects.get(username=name) for name in ("demo_supervisor", "demo_clerk", "demo_assistant")
    )
    supervisor_items = list(selectors.ledger_list_for(supervisor))
    assert {step.act for item in supervisor_items for step in selectors.steps_for(supervisor, item)} >= {
        Act.ASSIGN,
        Act.MARK_DONE,
        Act.CANCEL,
    }
    assert selectors.ledger_list_for(clerk, selectors.LedgerFilter(mine=True)).exists()
    mine = list(selectors.ledger_list_for(assistant))
    assert {step.act for item in mine for step in selectors.steps_for(assistant, item)} >= {
        Act.CLAIM,
        Act.RECORD_CONFIRMATION,
        Act.RECORD_NOT_DONE,
    }


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ledger_covers_every_state_in_every_village_and_loads_once(client):
    call_command("load_demo", stdout=StringIO())
    check_every_village_has_every_kind()
    check_dates_are_consistent()
    check_each_login_has_work()
    first = counts()
    lines = []
    assert load_demo_ledger(progress=lines.append) == 0
    assert counts() == first and "already loaded" in lines[0]
    township = Region.objects.get(code="120115121000")
    response = client.get(f"/promises/{township.code}/")
    assert response.status_code == 200 and 'class="promise-closed"' in response.content.decode()
