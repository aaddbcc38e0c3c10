"""`supervise` (behind `manage.py serve_demo`): Ctrl-C stops the web server and the worker, and
when one of them stops the other does too, with a message and a non-zero status.

The children are tests/web/supervise_child.py, which records the signals it gets. Signals to the
supervisor itself are sent to tests/web/supervise_runner.py, a process of its own, as a terminal
would; the other cases call `supervise` here.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import translation

from portal.web.supervise import Child, supervise

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the runner process has translation off)."""
    with translation.override("en"):
        yield


def child(name: str, record: Path, mode: str) -> Child:
    return Child(name, [sys.executable, str(HERE / "supervise_child.py"), str(record), mode])


def lines(record: Path) -> list[str]:
    return record.read_text().split() if record.exists() else []


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def start_runner(tmp_path: Path, *specs: str, grace: float = 10.0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HERE / "supervise_runner.py"), str(grace), *specs],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_reaches_each_child_once_and_stops_both(tmp_path, signum):
    web, worker = tmp_path / "web", tmp_path / "worker"
    runner = start_runner(tmp_path, f"web={web}@obedient", f"worker={worker}@obedient")
    wait_until(lambda: lines(web) and lines(worker))
    runner.send_signal(signum)
    output, _ = runner.communicate(timeout=30)
    assert runner.returncode == 0, output
    # Once each: db_worker takes a second SIGINT as "abandon the task in hand".
    assert lines(web) == lines(worker) == ["ready", str(int(signum))]
    assert "Stopping web, worker" in output


def test_a_second_ctrl_c_is_forwarded_too(tmp_path):
    worker = tmp_path / "worker"
    runner = start_runner(tmp_path, f"worker={worker}@twice")
    wait_until(lambda: lines(worker))
    runner.send_signal(signal.SIGINT)
    wait_until(lambda: len(lines(worker)) == 2)
    runner.send_signal(signal.SIGINT)
    runner.communicate(timeout=30)
    assert lines(worker) == ["ready", "2", "2"]
    assert runner.returncode == 0


def test_when_one_child_fails_the_other_is_stopped_and_the_status_is_the_failures(tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    said: list[str] = []
    started = time.monotonic()
    status = supervise(
        [child("web", web, "obedient"), child("worker", worker, f"fail:3:{web}")], say=said.append
    )
    assert status == 3
    assert lines(web) == ["ready", str(int(signal.SIGTERM))]
    assert said == ["Stopped: worker (exit status 3). Stopping web too."]
    assert time.monotonic() - started < 15


def test_a_child_that_stops_cleanly_on_its_own_still_stops_the_demo_with_a_failure(tmp_path):
    said: list[str] = []
    status = supervise(
        [child("web", tmp_path / "web", "fail:0"), child("worker", tmp_path / "worker", "obedient")],
        say=said.append,
    )
    assert status == 1
    assert said == ["Stopped: web (exit status 0). Stopping worker too."]


def test_a_child_that_ignores_the_stop_is_killed_after_the_grace_period(tmp_path):
    stubborn = tmp_path / "stubborn"
    said: list[str] = []
    status = supervise(
        [child("worker", stubborn, "stubborn"), child("web", tmp_path / "web", f"fail:2:{stubborn}")],
        say=said.append,
        grace_seconds=1,
    )
    assert status == 2
    assert lines(stubborn) == ["ready", str(int(signal.SIGTERM))]
    assert said[-1] == "Killed worker: it did not stop within 1 seconds."


def test_the_signal_handlers_are_restored(tmp_path):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    supervise([child("web", tmp_path / "web", "fail:1")], say=lambda line: None)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_killing_the_supervisor_outright_still_stops_its_children(tmp_path):
    web = tmp_path / "web"
    runner = start_runner(tmp_path, f"web={web}@obedient")
    wait_until(lambda: lines(web))
    runner.kill()
    runner.communicate(timeout=30)
    wait_until(lambda: len(lines(web)) == 2)
    assert lines(web) == ["ready", str(int(signal.SIGTERM))]
