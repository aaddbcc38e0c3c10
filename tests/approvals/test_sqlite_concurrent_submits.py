"""Simultaneous submits on a file SQLite database, as on the demo, never answer 500.

Issue 15: four assistants pressing 提交 at once on the SQLite demo got three HTTP 500s ("database
is locked"). The settings now give SQLite WAL, BEGIN IMMEDIATE and a busy timeout
(portal/settings/base.py, `SQLITE_OPTIONS`). This test copies the suite's database into a file,
points each thread's connection at that file with the settings' own options, and sends the
submits through the whole request stack (middleware, session, view, service, notifications) at
the same instant.

The suite's own database is in memory (one shared connection), where no such race can happen,
so the file copy is what makes the threads contend like runserver's do. On PostgreSQL the
locking is tested in test_concurrency.py instead.
"""

import sqlite3
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from approvals.models import Application
from approvals.states import State

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBMITS = 8


def file_copy_of_test_database(path) -> dict:
    """Copy the test database into `path` and return connection settings for it: the default
    alias's settings (and so its OPTIONS), with the file as NAME."""
    target = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
    finally:
        target.close()
    return {**connections.settings["default"], "NAME": str(path)}


def test_simultaneous_submits_all_succeed_on_a_file_database(cases, world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking only; PostgreSQL is covered by test_concurrency.py")
    drafts = [cases.draft() for _ in range(SUBMITS)]
    path = tmp_path / "concurrent.sqlite3"
    file_settings = file_copy_of_test_database(path)

    barrier = threading.Barrier(SUBMITS)
    outcomes: dict[int, str] = {}

    def submit(pk: int) -> None:
        try:
            client = Client()
            client.force_login(world.assistant_a1)  # writes the session: the thread's first write
            barrier.wait(timeout=30)
            # The drafts are the same villager's for the same item: the assistant confirms the
            # duplicate warning (issue 18, gap 11), as they would for a deliberate renewal.
            response = client.post(f"/work/{pk}/submit/", {"confirm_duplicate": "1"})
            outcomes[pk] = str(response.status_code)
        except Exception as error:  # the test reports whatever went wrong
            outcomes[pk] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    original = connections.settings["default"]
    # New connections (one per thread) open the file; the main thread keeps its own connection
    # to the in-memory database, which the test's teardown flushes.
    connections.settings["default"] = file_settings
    try:
        threads = [threading.Thread(target=submit, args=(draft.pk,)) for draft in drafts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        connections.settings["default"] = original

    assert sorted(outcomes.values()) == ["302"] * SUBMITS, outcomes
    with sqlite3.connect(path) as database:
        rows = database.execute(
            f"SELECT state, number FROM approvals_application WHERE id IN ({','.join('?' * SUBMITS)})",
            [draft.pk for draft in drafts],
        ).fetchall()
        mode = database.execute("PRAGMA journal_mode").fetchone()[0]
    assert [state for state, _ in rows] == [State.SUBMITTED] * SUBMITS
    assert len({number for _, number in rows}) == SUBMITS  # every submit got its own number
    assert mode == "wal"
    # The suite's own database never saw the submits.
    assert set(Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list("state", flat=True)) == {
        State.DRAFT
    }
