"""Benchmark the application's life: 10,000 applications filed and decided through the services.

Why this shape: every click of an assistant or a clerk is one service call that locks the row,
checks an object permission, writes an append-only event and queues a text message, all in one
transaction; a township files a few thousand applications a year and the inbox must stay as
quick with a county's history in the tables as on the first day. So the benchmark builds a
throwaway county (the test suite's `build_world`: two townships, three villages, their staff,
plus three items: one entrusted to both centres, one with the supervisor's approval and a
公示, one that the county department keeps), makes `--count` applications and drives each through
the services to its end: submit, accept, return and resubmit, review and approve, reject, forward
to the county, withdraw, with some left open. The first `--filed` of them (1,000) are filed as an
assistant does, through the services (draft, villager, two scans and the signed consent); the
others start as drafts written in bulk, so that a default run stays within `run_all.py`'s time
limit (`--filed 10000` files them all through the services; `--fast` is `--filed 0`).

It prints the transitions per second, mean and p95 milliseconds per action (target: an action
under 50 ms), the clerk's inbox page (GET /work/ through Django's test client) and its selector
alone (`inbox_for` + `rows_with_deadlines` for the first page of 50), each with its query count
and time, measured with 100 applications in the tables and again with all of them (the query
count must not change), and peak memory: Python's allocations (tracemalloc) while the inbox
renders and while a batch of actions runs, and the process's maximum resident size.

The database is a throwaway copy: SQLite in a temp dir (default), or with `--db postgres` (the
default when DATABASE_URL is a postgres:// URL) a new database on that server, dropped at the
end. Figures go to stdout one per line as `name = value unit`; everything else to stderr.

Usage: .venv/bin/python bench/approvals.py [--count 10000] [--db sqlite|postgres] [--filed 1000 | --fast]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, Python puts bench/ first on the path, where this file would shadow the
# `approvals` app; the repository root must come first instead.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    PROJECT_SETTINGS,
    BenchError,
    Figures,
    executable,
    finish,
    log,
    project_env,
    run_step,
)

DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SMALL = 100  # applications in the tables for the first inbox measurement
PAGE = 50  # the inbox's page size
TARGET_MS = 50.0
REPEATS = 20  # timed page loads per measurement
BATCH = 200  # applications filed, then driven, at a time


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


# --- the worker: runs inside Django against one throwaway database -------------------------


class Timer:
    """Times service calls by action name: wall-clock and CPU milliseconds of every call.

    The CPU time is this process's only (Python, Django, the SQLite library); the difference to
    wall time is waiting: for the disk (a commit's fsync), for PostgreSQL, or for a busy CPU."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.cpu_ms: dict[str, list[float]] = defaultdict(list)

    def __call__(self, name: str, function: Callable, /, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        result = function(**kwargs)
        self.ms[name].append((time.perf_counter() - started) * 1000)
        self.cpu_ms[name].append((time.process_time() - cpu) * 1000)
        return result


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (16, 12), 240).save(buffer, format="PNG")
    return buffer.getvalue()


def _build_county(rng: random.Random) -> dict[str, Any]:
    """The test suite's world, a guide with three items, a confirmed calendar, villagers."""
    import datetime
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from wagtail.models import Page, Site

    from cms.models import CountyHomePage
    from portal.people.roles import Role
    from portal.people.services import membership_create, resident_register
    from portal.workdays.models import CalendarYear
    from portal.workdays.services import calendar_year_confirm
    from services_catalog.models import Delegation, DelegationMode, ServiceGuideIndexPage, SpecialProcedure
    from tests.conftest import build_world
    from tests.factories import UserFactory, make_id_number
    from tests.services_catalog.conftest import make_item

    with transaction.atomic():
        world = build_world()
        # A second clerk at centre A and an assistant for village A2, so work is shared out.
        clerk_a2 = UserFactory(username="clerk_a2", name="clerk_a2", mobile="13900000005")
        membership_create(actor=None, user=clerk_a2, office=world.centre_a, role=Role.TOWNSHIP_CLERK)
        assistant_a2 = UserFactory(username="assistant_a2", name="assistant_a2", mobile="13900000006")
        membership_create(actor=None, user=assistant_a2, office=world.station_a2, role=Role.VILLAGE_ASSISTANT)

        home = Page.get_first_root_node().add_child(
            instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county)
        )
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "port": 80}
        )
        guide = home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))

        def delegate(item, centres, mode=DelegationMode.ENTRUSTMENT):
            delegation = Delegation.objects.create(
                item=item,
                department=item.department,
                mode=mode,
                document_number="宝坻政发〔2024〕12号",
                valid_from=datetime.date(2024, 3, 1),
            )
            delegation.centres.set(centres)

        dibao = make_item(guide, world.d1, code="120115-JF-001", title="最低生活保障审核确认")
        delegate(dibao, [world.centre_a, world.centre_b])
        housing = make_item(
            guide, world.d1, code="120115-XK-002", title="农村宅基地建房审批", needs_second_approval=True
        )
        SpecialProcedure.objects.create(page=housing, name="公示", working_days=5)
        delegate(housing, [world.centre_a], mode=DelegationMode.AUTHORISATION)
        relief = make_item(guide, world.d1, code="120115-JF-004", title="临时救助（大额）审批")

    this_year = datetime.date.today().year
    for year in (this_year, this_year + 1):
        try:
            call_command("load_work_calendar", str(year), stdout=StringIO())
            calendar_year_confirm(actor=world.county_admin, year=CalendarYear.objects.get(year=year))
        except Exception as exc:  # a year the holidays package lacks counts as the default week
            log(f"  calendar {year} not loaded ({exc}); its days count as the default week")

    villages = [
        (world.village_a1, world.assistant_a1),
        (world.village_a2, assistant_a2),
        (world.village_b1, world.assistant_b1),
    ]
    residents = {}
    with transaction.atomic():
        for number, (village, assistant) in enumerate(villages):
            pool = []
            for order in range(150):
                birth = f"{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                resident, _warnings = resident_register(
                    actor=assistant,
                    name=rng.choice("王李张刘陈杨赵黄周吴")
                    + rng.choice(["秀英", "桂兰", "建国", "德胜", "玉梅", "志强"]),
                    id_number=make_id_number(area="120224", birth=birth, order=number * 300 + order),
                    mobile=f"139{number:02d}{order:06d}",
                    village=village,
                )
                pool.append(resident)
            residents[village.pk] = pool
    return {
        "world": world,
        "items": {"dibao": dibao, "housing": housing, "relief": relief},
        "villages": villages,
        "residents": residents,
        "clerks": {world.centre_a.pk: [world.clerk_a, clerk_a2], world.centre_b.pk: [world.clerk_b]},
    }


def _file_through_services(county, timer: Timer, index: int, rng: random.Random, png: bytes):
    """One application as an assistant files it: draft, villager, two scans, consent, submit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from approvals import services
    from approvals.models import ApplicationFile

    item, village, assistant = _pick(county, index, rng)
    resident = rng.choice(county["residents"][village.pk])
    application = timer("draft_start", services.draft_start, actor=assistant, item=item, village=village)
    timer("draft_update", services.draft_update, actor=assistant, application=application, resident=resident)
    for material in county["materials"][item.pk]:
        timer(
            "file_attach",
            services.file_attach,
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.MATERIAL,
            material=material,
            uploaded=SimpleUploadedFile(f"{material.name}.png", png, content_type="image/png"),
        )
    timer(
        "file_attach",
        services.file_attach,
        actor=assistant,
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=SimpleUploadedFile("授权委托书.png", png, content_type="image/png"),
    )
    return application


def _pick(county, index: int, rng: random.Random):
    roll = rng.random()
    name = "dibao" if roll < 0.6 else "housing" if roll < 0.8 else "relief"
    village, assistant = county["villages"][index % len(county["villages"])]
    return county["items"][name], village, assistant


def _bulk_drafts(county, count: int, rng: random.Random, png: bytes) -> list:
    """Drafts beyond `--filed`: rows, files and first events written in bulk (no services)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction

    from approvals.models import Application, ApplicationEvent, ApplicationFile
    from approvals.states import Act, State

    stored = default_storage.save("applications/bench/scan.png", ContentFile(png))
    digest = hashlib.sha256(png).hexdigest()
    station_of = {
        county["world"].village_a1.pk: county["world"].station_a1,
        county["world"].village_a2.pk: county["world"].station_a2,
        county["world"].village_b1.pk: county["world"].station_b1,
    }
    drafts = []
    for index in range(count):
        item, village, assistant = _pick(county, index, rng)
        resident = rng.choice(county["residents"][village.pk])
        drafts.append(
            Application(
                item=item,
                item_title=item.title,
                station=station_of[village.pk],
                village=village,
                resident=resident,
                applicant_name=resident.name,
                applicant_mobile=resident.mobile,
                filed_by=assistant,
            )
        )
    with transaction.atomic():
        Application.objects.bulk_create(drafts, batch_size=500)
        files, events = [], []
        for draft in drafts:
            events.append(
                ApplicationEvent(
                    application=draft,
                    act=Act.CREATE,
                    to_state=State.DRAFT,
                    actor=draft.filed_by,
                    actor_role="filer",
                    actor_office=draft.station,
                )
            )
            kinds = [(ApplicationFile.Kind.MATERIAL, m) for m in county["materials"][draft.item_id]]
            for kind, material in [*kinds, (ApplicationFile.Kind.CONSENT, None)]:
                files.append(
                    ApplicationFile(
                        application=draft,
                        kind=kind,
                        material=material,
                        material_name=material.name if material else "",
                        file=stored,
                        display_name="scan.png",
                        content_type="image/png",
                        size=len(png),
                        sha256=digest,
                        uploaded_by=draft.filed_by,
                    )
                )
        ApplicationEvent.objects.bulk_create(events, batch_size=500)
        ApplicationFile.objects.bulk_create(files, batch_size=500)
    return drafts


FATES = [  # (share, fate)
    (0.08, "submitted"),
    (0.04, "returned"),
    (0.06, "resubmitted"),
    (0.10, "accepted"),
    (0.44, "approved"),
    (0.10, "rejected"),
    (0.04, "withdrawn"),
    (0.08, "forwarded"),
    (0.06, "forwarded_approved"),
]


def _fate(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for share, fate in FATES:
        total += share
        if roll < total:
            return fate
    return FATES[-1][1]


def _drive(county, timer: Timer, application, rng: random.Random, png: bytes) -> int:
    """Submit, then take the application where its fate says; returns the transitions made."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from approvals import services
    from approvals.models import ApplicationFile

    world = county["world"]
    assistant = application.filed_by
    application, _submitted = timer(
        "submit", services.application_submit, actor=assistant, application=application
    )
    steps = 1
    fate = _fate(rng)
    office = application.current_office
    handler = world.officer_d1 if office.kind == "department" else rng.choice(county["clerks"][office.pk])
    if fate == "submitted":
        return steps
    if fate == "withdrawn":
        timer(
            "withdraw",
            services.application_withdraw,
            actor=assistant,
            application=application,
            reason="村民不再申请",
        )
        return steps + 1
    if rng.random() < 0.5:
        timer("assign", services.application_assign, actor=handler, application=application)
        steps += 1
    material = county["materials"][application.item_id][0]
    if fate in ("returned", "resubmitted"):
        timer(
            "return",
            services.application_return,
            actor=handler,
            application=application,
            items=[services.MissingItem(material=material, reason="照片模糊，请重新拍照")],
        )
        steps += 1
        if fate == "returned":
            return steps
        timer(
            "file_attach",
            services.file_attach,
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.MATERIAL,
            material=material,
            uploaded=SimpleUploadedFile("补正.png", png, content_type="image/png"),
        )
        timer("resubmit", services.application_resubmit, actor=assistant, application=application)
        steps += 1
    timer("accept", services.application_accept, actor=handler, application=application)
    steps += 1
    if fate == "accepted":
        return steps
    if fate.startswith("forwarded") and office.kind == "centre":
        application = timer(
            "forward",
            services.application_forward,
            actor=handler,
            application=application,
            comment="超出镇级权限",
        )
        steps += 1
        if fate == "forwarded":
            return steps
        handler = world.officer_d1
        office = application.current_office
    needs_supervisor = application.item.needs_second_approval and office.kind == "centre"
    decider = handler
    if needs_supervisor:
        timer(
            "review",
            services.application_review,
            actor=handler,
            application=application,
            comment="材料齐全，建议准予",
        )
        steps += 1
        decider = world.supervisor_a
    if fate == "rejected":
        timer(
            "reject",
            services.application_reject,
            actor=decider,
            application=application,
            reason="家庭人均收入高于标准",
            basis="《社会救助暂行办法》第九条",
        )
    else:
        timer("approve", services.application_approve, actor=decider, application=application)
    return steps + 1


def _measure_inbox(county, label: str, show_sql: bool) -> dict[str, Any]:
    """The clerk's inbox page and its selector: queries and time (median of REPEATS)."""
    import tracemalloc

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from approvals import selectors

    clerk = county["world"].clerk_a
    result: dict[str, Any] = {}

    def selector_page():
        return selectors.rows_with_deadlines(selectors.inbox_for(clerk)[:PAGE])

    rows = selector_page()  # warm: content types, permissions' first look-ups
    with CaptureQueriesContext(connection) as captured:
        rows = selector_page()
    result["selector_queries"] = len(captured)
    result["selector_rows"] = len(rows)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        selector_page()
        timings.append((time.perf_counter() - started) * 1000)
    result["selector_ms"] = _percentile(timings, 0.5)
    result["open_in_inbox"] = selectors.inbox_for(clerk).count()

    client = Client(HTTP_HOST="localhost")
    client.force_login(clerk)
    try:
        response = client.get("/work/")
    except Exception as exc:  # the view is new: say so, and measure the rest
        log(f"WARNING: GET /work/ raised {type(exc).__name__}: {exc}; the view is not measured ({label})")
        return result
    if response.status_code != 200:
        log(f"WARNING: GET /work/ answered {response.status_code}; the view is not measured ({label})")
        return result
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/work/")
    result["view_queries"] = len(captured)
    result["view_bytes"] = len(response.content)
    if show_sql:
        for query in captured.captured_queries:
            print(f"  [{label}] {query['sql'][:300]}", file=sys.stderr)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get("/work/")
        timings.append((time.perf_counter() - started) * 1000)
    result["view_ms"] = _percentile(timings, 0.5)
    tracemalloc.start()
    client.get("/work/")
    result["view_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return result


def _analyze() -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk of inserts: planner statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run_worker(args: argparse.Namespace) -> int:
    import resource
    import tracemalloc

    import django

    django.setup()
    from django.db import connection

    from approvals.models import Application, ApplicationEvent

    rng = random.Random(args.seed)
    png = _png()
    started = time.monotonic()
    county = _build_county(rng)
    county["materials"] = {
        item.pk: [m for m in item.materials.all() if m.required and not m.may_be_missing]
        for item in county["items"].values()
    }
    log(f"  county built in {time.monotonic() - started:.1f} s")

    timer = Timer()
    totals: dict[str, float] = defaultdict(float)

    def file_and_drive(first: int, last: int, timer: Timer, totals: dict[str, float]) -> None:
        for start in range(first, last, BATCH):
            stop = min(last, start + BATCH)
            before = time.perf_counter()
            filed = range(start, max(start, min(stop, args.filed)))
            drafts = [_file_through_services(county, timer, index, rng, png) for index in filed]
            totals["filing_seconds"] += time.perf_counter() - before
            totals["filed"] += len(filed)
            bulk = stop - start - len(filed)
            if bulk:
                before = time.perf_counter()
                drafts += _bulk_drafts(county, bulk, rng, png)
                totals["bulk_seconds"] += time.perf_counter() - before
                totals["bulked"] += bulk
            before = time.perf_counter()
            for draft in drafts:
                totals["transitions"] += _drive(county, timer, draft, rng, png)
            totals["drive_seconds"] += time.perf_counter() - before
            if stop // 1000 > start // 1000 or stop == args.count:
                log(f"  {stop} applications filed and driven ({time.monotonic() - started:.0f} s)")

    inbox: dict[str, dict[str, Any]] = {}
    small = min(SMALL, args.count)
    traced = min(BATCH, args.count - small)
    file_and_drive(0, small, timer, totals)
    _analyze()
    inbox["small"] = _measure_inbox(county, f"{small} rows", args.show_sql)
    file_and_drive(small, args.count - traced, timer, totals)
    # The last batch runs under tracemalloc (which slows Python down, so its times are not kept):
    # what filing and deciding a batch of applications allocates at its peak.
    peak_actions_kib = None
    if traced:
        tracemalloc.start()
        file_and_drive(args.count - traced, args.count, Timer(), defaultdict(float))
        peak_actions_kib = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    _analyze()
    inbox["large"] = _measure_inbox(county, f"{args.count} rows", args.show_sql)

    filing = ("draft_start", "draft_update", "file_attach")
    every_action = [value for name, values in timer.ms.items() if name not in filing for value in values]
    every_action_cpu = [
        value for name, values in timer.cpu_ms.items() if name not in filing for value in values
    ]
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "count": args.count,
                "filed": args.filed,
                "applications": Application.objects.count(),
                "events": ApplicationEvent.objects.count(),
                "timed_applications": args.count - traced,
                "transitions": totals["transitions"],
                "drive_seconds": totals["drive_seconds"],
                "filing_seconds": totals["filing_seconds"],
                "filed_timed": totals["filed"],
                "bulk_seconds": totals["bulk_seconds"],
                "bulked_timed": totals["bulked"],
                "actions": {
                    name: {
                        "n": len(values),
                        "mean": _mean(values),
                        "p95": _percentile(values, 0.95),
                        "cpu_mean": _mean(timer.cpu_ms[name]),
                    }
                    for name, values in sorted(timer.ms.items())
                },
                "all_actions": {
                    "n": len(every_action),
                    "mean": _mean(every_action),
                    "p95": _percentile(every_action, 0.95),
                    "cpu_mean": _mean(every_action_cpu),
                },
                "inbox": inbox,
                "peak_actions_kib": peak_actions_kib,
                "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
    return 0


# --- the orchestrator ---------------------------------------------------------------------


def _pg_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0]
    return DEFAULT_PG_SERVER


def _postgres(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", connect_timeout=5, autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def throwaway_postgres(kind: str) -> Iterator[str]:
    """A new database on DATABASE_URL's PostgreSQL server (or the local one) for one run: yields
    its URL and drops it afterwards, whatever happened (SIGTERM included, see `_terminate`)."""
    server = _pg_server()
    name = f"cunban_bench_{kind}_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        _postgres(server, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise BenchError(f"PostgreSQL at {server} is not reachable: {exc}") from exc
    try:
        yield f"{server}/{name}"
    finally:
        try:
            _postgres(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:
            log(f"WARNING: could not drop the throwaway database {name}: {exc}")


def _run_worker(command: list[str], env: dict[str, str], label: str) -> str:
    """Run the worker with its progress on our stderr; return its stdout (the JSON report)."""
    import subprocess

    log(f"{label} ...")
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"{label} failed (exit {done.returncode})")
    log(f"{label} done in {time.monotonic() - started:.0f} s")
    return done.stdout


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    url = os.environ.get("DATABASE_URL", "")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="applications to file (10000)")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="postgres" if url.startswith(("postgres://", "postgresql://")) else "sqlite",
        help="throwaway SQLite in a temp dir, or a throwaway database on DATABASE_URL's PostgreSQL server",
    )
    parser.add_argument(
        "--filed",
        type=int,
        default=1000,
        help="how many are filed through the services (1000); the other drafts are written in bulk",
    )
    parser.add_argument("--fast", action="store_true", help="--filed 0: every draft written in bulk")
    parser.add_argument("--seed", type=int, default=20261122, help="random seed for villagers and fates")
    parser.add_argument("--show-sql", action="store_true", help="print the inbox page's queries to stderr")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument(
        "--keep-tmp", action="store_true", help="keep the SQLite database for a look afterwards"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 1 or args.filed < 0:
        parser.error("--count must be at least 1 and --filed at least 0")
    if args.fast:
        args.filed = 0
    return args


def _terminate(signum, frame):
    """Turn SIGTERM into SystemExit so that the finally block drops the throwaway database."""
    raise SystemExit(128 + signum)


def _add_figures(figures: Figures, result: dict[str, Any]) -> list[str]:
    """Figures from the worker's report; returns warnings (targets missed, query counts grown)."""
    warnings = []
    db = result["vendor"]
    prefix = f"approvals_{db}"
    figures.add(f"{prefix}_applications", result["applications"], "count")
    figures.add(f"{prefix}_events", result["events"], "count")
    rate = result["transitions"] / result["drive_seconds"] if result["drive_seconds"] else None
    figures.add(f"{prefix}_transitions_per_second", rate, "1/s")
    everything = result["all_actions"]
    figures.add(f"{prefix}_action_mean", everything["mean"], "ms", decimals=2)
    figures.add(f"{prefix}_action_p95", everything["p95"], "ms", decimals=2)
    figures.add(f"{prefix}_action_cpu_mean", everything["cpu_mean"], "ms", decimals=2)
    for name, stats in result["actions"].items():
        figures.add(f"{prefix}_{name}_mean", stats["mean"], "ms", decimals=2)
        figures.add(f"{prefix}_{name}_p95", stats["p95"], "ms", decimals=2)
        figures.add(f"{prefix}_{name}_cpu_mean", stats["cpu_mean"], "ms", decimals=2)
        if name not in ("draft_start", "draft_update", "file_attach") and (stats["p95"] or 0) > TARGET_MS:
            warnings.append(f"{name}: p95 {stats['p95']:.1f} ms is above the {TARGET_MS:.0f} ms target")
    if result["filed_timed"]:
        per_application = result["filing_seconds"] * 1000 / result["filed_timed"]
        figures.add(f"{prefix}_filing_per_application", per_application, "ms", decimals=2)
    if result["bulked_timed"]:
        per_draft = result["bulk_seconds"] * 1000 / result["bulked_timed"]
        figures.add(f"{prefix}_bulk_draft_per_application", per_draft, "ms", decimals=2)
    small, large = result["inbox"]["small"], result["inbox"]["large"]
    for size, measured in (("small", small), ("large", large)):
        figures.add(f"{prefix}_inbox_{size}_open_rows", measured.get("open_in_inbox"), "count")
        figures.add(f"{prefix}_inbox_{size}_view_queries", measured.get("view_queries"), "count")
        figures.add(f"{prefix}_inbox_{size}_view_p50", measured.get("view_ms"), "ms", decimals=2)
        figures.add(f"{prefix}_inbox_{size}_view_bytes", measured.get("view_bytes"), "bytes")
        figures.add(f"{prefix}_inbox_{size}_selector_queries", measured.get("selector_queries"), "count")
        figures.add(f"{prefix}_inbox_{size}_selector_p50", measured.get("selector_ms"), "ms", decimals=2)
    warnings.extend(
        f"inbox {key}: {small.get(key)} with few rows but {large.get(key)} with many"
        for key in ("view_queries", "selector_queries")
        if small.get(key) is not None and small.get(key) != large.get(key)
    )
    figures.add(f"{prefix}_inbox_view_peak_traced", large.get("view_peak_kib"), "KiB")
    figures.add(f"{prefix}_actions_batch_peak_traced", result["peak_actions_kib"], "KiB")
    figures.add(f"{prefix}_max_rss", result["max_rss_mib"], "MiB")
    return warnings


def main(argv: Sequence[str] | None = None) -> int:
    """Build a throwaway database, run the worker against it, print figures; 0 if all went well."""
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-approvals-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        with ExitStack() as stack:
            env = project_env(tmp, PROJECT_SETTINGS)
            if args.db == "postgres":
                env["DATABASE_URL"] = stack.enter_context(throwaway_postgres("approvals"))
            _measure(args, python, env, figures)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


def _measure(args: argparse.Namespace, python: str, env: dict[str, str], figures: Figures) -> None:
    """Migrate the throwaway site, file and drive the applications, add the figures."""
    env["DATABASE_CONN_MAX_AGE"] = "0"
    manage = [python, str(REPO_ROOT / "manage.py")]
    # DEBUG is off, as in production, so the inbox page needs the collected static files.
    run_step("collectstatic", [*manage, "collectstatic", "--noinput"], env, timeout=600, verbose=args.verbose)
    run_step(f"{args.db}: migrate", [*manage, "migrate", "--noinput"], env, timeout=900, verbose=args.verbose)
    worker = [
        python,
        str(Path(__file__).resolve()),
        "--worker",
        f"--count={args.count}",
        f"--seed={args.seed}",
        f"--filed={args.filed}",
        *(["--show-sql"] if args.show_sql else []),
    ]
    stdout = _run_worker(worker, env, f"{args.db}: file and drive {args.count} applications")
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise BenchError("the worker printed no figures") from exc
    for warning in _add_figures(figures, result):
        log(f"NOTE: {warning}")


if __name__ == "__main__":
    sys.exit(main())
