"""Pruning the attempts store: the cut-off is the longest window of the limits table, rows a
limit without a window counts (the locks only a staff unlock lifts) stay whatever their age,
and no limit answers differently after a prune."""

import datetime
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from portal.throttle import limits
from portal.throttle.limits import LIMITS, Limit, Per, Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import attempt_count
from portal.throttle.services import attempt_record, attempts_prune, attempts_retention
from portal.throttle.tasks import attempts_prune_task

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 8, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
NUMBER = "120115121-261207-001"
CLIENT = "192.0.2.1"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def tried(scope: str, *, ago: datetime.timedelta, outcome=Attempt.Outcome.FAILED, key=NUMBER, client=CLIENT):
    return attempt_record(scope=scope, key=key, client=client, outcome=outcome, at=NOW - ago)


def kept() -> set[int]:
    return set(Attempt.objects.values_list("pk", flat=True))


class TestTheCutOff:
    def test_it_is_the_longest_window_of_the_limits_counted_by_rows(self):
        store = [limit for limit in LIMITS if limit.counted_by == "store" and limit.window]
        assert attempts_retention() == max(limit.window for limit in store) == DAY

    def test_a_longer_window_in_the_table_moves_it(self):
        weekly = Limit(
            name="weekly",
            scope="weekly",
            per=Per.CLIENT,
            most=100,
            window=7 * DAY,
            counts=limits.ANY,
            message=None,
            when_reached="wait",
        )
        assert attempts_retention((*LIMITS, weekly)) == 7 * DAY
        six_days = tried(Scope.CERTIFICATE_CHECK, ago=6 * DAY)
        eight_days = tried(Scope.CERTIFICATE_CHECK, ago=8 * DAY)
        assert attempts_prune(limits=(*LIMITS, weekly)) == 1
        assert kept() == {six_days.pk} and eight_days.pk not in kept()


class TestAttemptsPrune:
    def test_rows_past_the_longest_window_go_and_younger_ones_stay(self):
        young = tried(Scope.CERTIFICATE_CHECK, ago=DAY - SECOND)
        api_call = tried(Scope.API_CALL, ago=DAY + SECOND, outcome=Attempt.Outcome.OK, key="api-client:1")
        old = tried(Scope.CERTIFICATE_CHECK, ago=DAY + SECOND)
        assert attempts_prune(dry_run=True) == 2 and len(kept()) == 3
        assert attempts_prune() == 2
        assert kept() == {young.pk}
        assert old.pk not in kept() and api_call.pk not in kept()

    def test_what_a_limit_without_a_window_counts_stays(self):
        """A number's failures in all (until a staff unlock) and a link's wrong codes (for good)."""
        number_failures = [tried(Scope.TRACKING_LOOKUP, ago=30 * DAY) for _ in range(10)]
        link_failure = tried(Scope.REMOTE_OPEN, ago=300 * DAY, key="link-key")
        successes = tried(Scope.TRACKING_LOOKUP, ago=30 * DAY, outcome=Attempt.Outcome.OK)
        keyless = tried(Scope.TRACKING_LOOKUP, ago=30 * DAY, key="")  # counted per client only
        assert attempt_count(limits.TRACKING_PER_NUMBER, key=NUMBER) == 10
        assert attempts_prune() == 2
        assert kept() == {row.pk for row in number_failures} | {link_failure.pk}
        assert successes.pk not in kept() and keyless.pk not in kept()
        # The lock holds: the number is still refused, the link still does not open.
        assert attempt_count(limits.TRACKING_PER_NUMBER, key=NUMBER) == 10
        assert attempt_count(limits.REMOTE_OPEN_PER_LINK, key="link-key") == 1

    def test_no_limit_answers_differently_after_a_prune(self):
        scopes = sorted({limit.scope for limit in LIMITS if limit.counted_by == "store"})
        ages = [SECOND, DAY - SECOND, DAY + SECOND, 40 * DAY]
        keys, clients = [NUMBER, ""], [CLIENT, None]
        for scope, age, outcome, key, client in itertools.product(
            scopes, ages, Attempt.Outcome.values, keys, clients
        ):
            tried(scope, ago=age, outcome=outcome, key=key, client=client)

        def answers() -> list[int]:
            return [
                attempt_count(limit, key=key, client=client)
                for limit in LIMITS
                if limit.counted_by == "store"
                for key, client in itertools.product(keys, clients)
            ]

        before = answers()
        assert attempts_prune(batch_size=50) > 0
        assert answers() == before

    def test_it_deletes_in_batches_and_reports_progress(self):
        for _ in range(5):
            tried(Scope.CERTIFICATE_CHECK, ago=2 * DAY)
        seen: list[int] = []
        assert attempts_prune(batch_size=2, progress=seen.append) == 5
        assert seen == [2, 4, 5] and kept() == set()


def test_the_command_prints_progress_and_what_it_deleted():
    tried(Scope.CERTIFICATE_CHECK, ago=2 * DAY)
    tried(Scope.TRACKING_LOOKUP, ago=2 * DAY)  # a number's failure: kept
    out = StringIO()
    call_command("prune_throttle_attempts", "--dry-run", stdout=out)
    assert "would delete 1 older than 24 hours" in out.getvalue() and len(kept()) == 2
    out = StringIO()
    call_command("prune_throttle_attempts", stdout=out)
    assert (
        "  1 deleted…" in out.getvalue() and "Counted tries: deleted 1 older than 24 hours" in out.getvalue()
    )
    assert len(kept()) == 1


def test_the_task_runs_the_same_prune():
    tried(Scope.CERTIFICATE_CHECK, ago=2 * DAY)
    assert attempts_prune_task.enqueue().return_value == 1
    assert kept() == set()
