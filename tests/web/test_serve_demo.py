"""`manage.py serve_demo`, what `make demo` runs: the web server and a task worker together.

Issue 15: the demo ran only runserver, so a catalogue upload stayed 排队中 for ever. These run the
real command on a file copy of the suite's database (SQLite, as the demo), as a terminal would.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings
from django.utils import translation

from portal.outbox.tasks import outbox_send_task
from portal.web.management.commands import serve_demo
from portal.web.management.commands.serve_demo import WORKER_INTERVAL, demo_children, served_address

on_a_database_file = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent.parent
TASKS = "django_tasks_database_dbtaskresult"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_database(tmp_path: Path) -> Path:
    if connection.vendor != "sqlite":
        pytest.skip("the demo runs on SQLite")
    path = tmp_path / "demo.sqlite3"
    target = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
    finally:
        target.close()
    return path


def demo_env(tmp_path: Path, database: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "1",
        "SITE_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}", "--grace", "20"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def statuses(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [status for (status,) in db.execute(f"SELECT status FROM {TASKS}")]


def enqueue_into(database: Path) -> None:
    """Enqueue a task into the demo's database file, from a thread whose connection opens it."""

    def enqueue():
        try:
            outbox_send_task.enqueue()
        finally:
            connections.close_all()

    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(database)}
    try:
        with override_settings(TASKS=DATABASE_TASKS):
            thread = threading.Thread(target=enqueue)
            thread.start()
            thread.join(timeout=30)
    finally:
        connections.settings["default"] = original


def test_the_worker_is_not_autoreloaded_and_polls_often():
    web, worker = demo_children("127.0.0.1:8000")
    assert web.argv[2:] == ["runserver", "127.0.0.1:8000", "--noreload"]
    assert worker.argv[2] == "db_worker"
    assert {"--no-reload", "--no-startup-delay"} <= set(worker.argv)
    assert float(worker.argv[worker.argv.index("--interval") + 1]) == WORKER_INTERVAL <= 1


@pytest.mark.parametrize(
    ("addrport", "served"),
    [
        ("8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("0.0.0.0:8000", None),  # every interface: which address people use is not known here
    ],
)
def test_the_served_address_is_written_as_a_browser_would(addrport, served):
    assert served_address(addrport) == served


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")
def test_it_says_when_papers_would_point_elsewhere(monkeypatch):
    monkeypatch.setattr(serve_demo, "supervise", lambda children, **kwargs: 0)
    err = StringIO()
    with translation.override("en"):
        call_command("serve_demo", "127.0.0.1:8001", stdout=StringIO(), stderr=err)
        assert (
            "SITE_BASE_URL is http://127.0.0.1:8000, but this serves http://127.0.0.1:8001" in err.getvalue()
        )
        err = StringIO()
        call_command("serve_demo", "127.0.0.1:8000", stdout=StringIO(), stderr=err)
    assert "SITE_BASE_URL" not in err.getvalue()


def test_a_failed_process_makes_the_command_fail_with_its_status(monkeypatch):
    monkeypatch.setattr(serve_demo, "supervise", lambda children, **kwargs: 3)
    with pytest.raises(CommandError) as failure:
        call_command("serve_demo", stdout=StringIO(), stderr=StringIO())
    assert failure.value.returncode == 3


@on_a_database_file
def test_the_demo_serves_pages_works_its_queue_promptly_and_stops_on_ctrl_c(tmp_path):
    with override_settings(TASKS=DATABASE_TASKS):
        outbox_send_task.enqueue()  # waiting in the queue before the demo starts
    database = demo_database(tmp_path)
    port = free_port()
    env = demo_env(tmp_path, database, port)
    demo = serve(env, port)
    try:
        wait_until(lambda: answers(port), 90, "the web server")
        wait_until(lambda: statuses(database) == ["SUCCESSFUL"], 30, "the queued task")

        # A task enqueued while the demo runs (as an upload would) starts within moments.
        enqueue_into(database)
        enqueued = time.monotonic()
        wait_until(lambda: statuses(database) == ["SUCCESSFUL"] * 2, 30, "the new task")
        assert time.monotonic() - enqueued < 5

        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    assert demo.returncode == 0, output
    assert "正在停止网站服务、后台任务进程" in output
    assert not answers(port)


@on_a_database_file
def test_when_the_web_server_cannot_start_the_worker_stops_too_and_the_demo_fails(tmp_path):
    database = demo_database(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = serve(demo_env(tmp_path, database, port), port)
        try:
            output, _ = demo.communicate(timeout=120)
        finally:
            if demo.poll() is None:
                demo.kill()
                demo.communicate()
    assert demo.returncode != 0
    assert "That port is already in use" in output
    assert "网站服务已停止（退出状态 1），正在一并停止后台任务进程。" in output
    assert "有一个进程出错，演示已停止" in output
