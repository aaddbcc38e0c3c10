"""Two web nodes and two task workers on one PostgreSQL database, one S3 store and one cache.

Everything runs as separate processes, as on a city deployment (docs/deploy.md): a throwaway
PostgreSQL database (not pytest-django's), moto's S3 server on a free loopback port with the
public and private buckets, two gunicorn nodes with DEBUG off and STORAGE_BACKEND=s3, and two
`manage.py db_worker` processes. The test shows that a login on node A holds on node B, that a
photo uploaded through A is in the private bucket and downloads through B, that a ledger item
registered through B is listed on A, and that tasks enqueued once each ran exactly once across
the two workers, both of which worked. Every process and the database go away at the end.
"""

import contextlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PASSWORD = "Two-nodes-pass-2026"
TASKS = 40

SETUP = f"""
import json
from tests.conftest import build_world
w = build_world()
w.assistant_a1.set_password({PASSWORD!r}); w.assistant_a1.save()
print("WORLD=" + json.dumps({{"village": w.village_a1.pk, "user": w.assistant_a1.username}}))
"""

ENQUEUE = f"""
from approvals.tasks import deadlines_sweep_task
ids = [str(deadlines_sweep_task.enqueue().id) for _ in range({TASKS})]
print("IDS=" + ",".join(ids))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.args} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def redis_url() -> str:
    """A shared cache when a local Redis answers, else none (each node its own memory cache)."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
        sock.sendall(b"PING\r\n")
        if sock.recv(16).startswith(b"+PONG"):
            return "redis://127.0.0.1:6379/13"
    return ""


def run(args: list[str], env: dict, timeout: float) -> str:
    done = subprocess.run(
        args, cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class Node:
    """One web node seen by a browser: a requests session keeps the cookies; `other` shares them."""

    def __init__(self, port: int, session):
        self.base = f"http://127.0.0.1:{port}"
        self.session = session

    def get(self, path: str, **kwargs):
        return self.session.get(self.base + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, data: dict, files=None):
        token = self.session.cookies.get("csrftoken")
        return self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": self.base + path},
            allow_redirects=False,
            timeout=30,
        )


@pytest.fixture
def cluster():
    """Start the database, the object store, two nodes and two workers; stop them all after."""
    import boto3
    import requests

    from bench.approvals import throwaway_postgres

    procs: list[subprocess.Popen] = []
    with (
        tempfile.TemporaryDirectory(prefix="cunban-two-nodes-") as tmp,
        throwaway_postgres("nodes") as db_url,
    ):
        logs = Path(tmp)

        def start(name: str, args: list[str], env: dict) -> subprocess.Popen:
            log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 — closed with the directory
            proc = subprocess.Popen(
                args,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            procs.append(proc)
            return proc

        try:
            s3_port = free_port()
            moto = start(
                "moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], dict(os.environ)
            )
            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "PYTEST", "AWS_", "DATABASE_"))
            }
            env.update(
                DJANGO_SETTINGS_MODULE="portal.settings",
                DATABASE_URL=db_url,
                DATABASE_CONN_MAX_AGE="0",
                DEBUG="0",
                SECRET_KEY="two-nodes-" + uuid.uuid4().hex * 2,
                # With DEBUG off the settings refuse to start without keys of their own.
                FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                ID_HASH_KEY="two-nodes-lookup-" + uuid.uuid4().hex,
                CUNBAN_CERTIFICATE_KEY="two-nodes-certificates-" + uuid.uuid4().hex,
                ALLOWED_HOSTS="127.0.0.1",
                SECURE_COOKIES="0",
                CACHE_URL=redis_url(),
                STATIC_ROOT=str(logs / "static"),
                STORAGE_BACKEND="s3",
                AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{s3_port}",
                AWS_S3_REGION_NAME="us-east-1",
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",
                AWS_STORAGE_BUCKET_NAME="cunban-media",
                AWS_PRIVATE_BUCKET_NAME="cunban-private",
                AWS_S3_USE_SSL="0",
                CUNBAN_SMS_BACKEND="portal.outbox.senders.ConsoleSender",
                LOG_LEVEL="WARNING",
                PYTHONPATH=str(REPO),
            )
            manage = [PYTHON, str(REPO / "manage.py")]
            collect = subprocess.Popen(
                [*manage, "collectstatic", "--noinput", "-v0"],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            procs.append(collect)
            run([*manage, "migrate", "--noinput", "-v0"], env, timeout=600)
            world = json.loads(run([*manage, "shell", "-c", SETUP], env, 120).split("WORLD=", 1)[1])
            assert collect.wait(timeout=300) == 0, collect.stderr.read().decode()[-3000:]

            wait_for_port(s3_port, moto)
            s3 = boto3.client(
                "s3",
                endpoint_url=env["AWS_S3_ENDPOINT_URL"],
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            for bucket in ("cunban-media", "cunban-private"):
                s3.create_bucket(Bucket=bucket)

            ports = []
            for name in ("a", "b"):
                port = free_port()
                start(
                    f"web-{name}",
                    [
                        str(BIN / "gunicorn"),
                        "portal.wsgi",
                        "-b",
                        f"127.0.0.1:{port}",
                        "-w",
                        "1",
                        "--timeout",
                        "60",
                    ],
                    env,
                )
                start(
                    f"worker-{name}",
                    [
                        *manage,
                        "db_worker",
                        "--worker-id",
                        f"worker-{name}",
                        "--interval",
                        "0.1",
                        "--no-startup-delay",
                    ],
                    env,
                )
                ports.append(port)
            for port, proc in zip(ports, procs[-4::2], strict=True):
                wait_for_port(port, proc)
            browser = requests.Session()
            yield {
                "a": Node(ports[0], browser),
                "b": Node(ports[1], browser),
                "s3": s3,
                "env": env,
                "manage": manage,
                "world": world,
                "db_url": db_url,
                "procs": procs,
                "logs": logs,
            }
        finally:
            for proc in procs:
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
            for log in sorted(logs.glob("*.log")):
                text = log.read_text(errors="replace")
                if "Traceback" in text:
                    print(f"--- {log.name} ---\n{text[-3000:]}")


def register(node: Node, world: dict, need: str, photo: bytes | None = None) -> str:
    """Register a ledger item through one node; returns the detail page's path."""
    assert node.get("/work/ledger/new/").status_code == 200
    data = {
        "client_token": str(uuid.uuid4()),
        "name": "赵玉兰",
        "mobile": "13812345678",
        "village": str(world["village"]),
        "kind": "wish",
        "need": need,
    }
    files = {"photo": ("photo.png", photo, "image/png")} if photo else None
    response = node.post("/work/ledger/new/", data, files=files)
    assert response.status_code == 302, response.text[-3000:]
    return response.headers["Location"]


def test_two_web_nodes_and_two_workers_share_everything(cluster):
    started = time.monotonic()
    a, b, world = cluster["a"], cluster["b"], cluster["world"]

    # A login on node A is a session on node B: sessions live in the database.
    assert a.get("/accounts/login/").status_code == 200
    response = a.post("/accounts/login/", {"username": world["user"], "password": PASSWORD})
    assert response.status_code == 302, response.text[-3000:]
    assert b.get("/work/ledger/").status_code == 200
    assert b.get("/work/ledger/").url.startswith(b.base)

    # A photo uploaded through A is in the private bucket and downloads through B.
    photo = png_bytes()
    detail = register(a, world, "两台机器之间的照片", photo)
    page = b.get(detail)
    assert page.status_code == 200
    photo_path = re.search(r"/work/ledger/\d+/photos/\d+/", page.text).group(0)
    download = b.get(photo_path)
    assert download.status_code == 200
    assert download.content == photo
    stored = cluster["s3"].list_objects_v2(Bucket="cunban-private").get("Contents", [])
    assert [obj["Size"] for obj in stored] == [len(photo)]
    assert cluster["s3"].list_objects_v2(Bucket="cunban-media").get("KeyCount", 0) == 0
    assert "cunban-private" not in page.text  # no link to the bucket, only the checked view

    # A ledger item registered through B is listed on A.
    detail_b = register(b, world, "在另一台机器上登记的心愿")
    assert a.get(detail_b).status_code == 200
    assert "在另一台机器上登记的心愿" in a.get(detail_b).text
    listing = a.get("/work/ledger/").text
    assert detail_b in listing or "在另一台机器上登记的心愿" in listing

    # N tasks enqueued once each ran exactly once, and both workers did some.
    out = run([*cluster["manage"], "shell", "-c", ENQUEUE], cluster["env"], 120)
    ids = out.split("IDS=", 1)[1].strip().split(",")
    assert len(set(ids)) == TASKS
    import psycopg

    deadline = time.monotonic() + 90
    with psycopg.connect(cluster["db_url"], autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT id::text, status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id::text = ANY(%s)",
                [ids],
            ).fetchall()
            if sum(1 for row in rows if row[1] == "SUCCESSFUL") == TASKS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    by_id = {row[0]: row for row in rows}
    assert sorted(by_id) == sorted(ids)
    assert [row[1] for row in by_id.values()].count("SUCCESSFUL") == TASKS
    runs = [len(row[2]) for row in by_id.values()]
    assert runs == [1] * TASKS  # each claimed (and so run) by exactly one worker, once
    per_worker = {
        worker: sum(row[2] == [worker] for row in by_id.values()) for worker in ("worker-a", "worker-b")
    }
    assert all(count > 0 for count in per_worker.values()), per_worker
    print(
        f"two nodes: tasks {TASKS}, per worker {per_worker}, duplicates 0, {time.monotonic() - started:.1f} s"
    )
