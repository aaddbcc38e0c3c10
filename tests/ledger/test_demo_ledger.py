"""`make demo`'s ledger: in every demo village a request waiting, one in progress, one overdue,
one done awaiting the villager's confirmation and one closed, built through the services with
dates that make sense, and a second load that adds nothing. On a fixed day (`demo_day`);
tests/test_demo_dates.py tells the stories on thirty others."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from ledger.models import LedgerEvent, LedgerItem, LedgerSequence
from portal.demo.ledger import load_demo_ledger
from portal.places.models import Region
from tests.demo_checks import check_ledger

pytestmark = pytest.mark.usefixtures("demo_day")

COUNTED = (LedgerItem, LedgerEvent, LedgerSequence)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ledger_covers_every_state_in_every_village_and_loads_once(client):
    call_command("load_demo", stdout=StringIO())
    check_ledger()
    first = counts()
    lines = []
    assert load_demo_ledger(progress=lines.append) == 0
    assert counts() == first and "already loaded" in lines[0]
    township = Region.objects.get(code="120115121000")
    response = client.get(f"/promises/{township.code}/")
    assert response.status_code == 200 and 'class="promise-closed"' in response.content.decode()
