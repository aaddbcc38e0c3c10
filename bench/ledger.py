"""Benchmark the public promise list (承诺公示) of a township with 5,000 ledger items.

Why this shape: a township's list is the page villagers, the county and the press open, and the
township's items only grow; what it costs must not grow with them. So the benchmark builds a
throwaway site (the test suite's world: township A with villages A1 and A2, centre A and its
staff), writes ledger items straight into the table (bulk_create: the rules are not what is
measured here) in the mix a real ledger has (closed, in progress, some overdue, done and waiting
for confirmation, a few waiting to be taken on), and, in-process with Django's test client
(every middleware included, DEBUG off as in production):

- counts the queries of the township's list page and of its A4 PDF at 50 items and at
  `--count` (5,000) items: the two counts must be equal (target: independent of the rows);
- times the list page (`--runs` renders, median and p95) and the PDF (median), and the page's size.

Figures go to stdout as `name = value unit`; exits 1 if a page does not answer 200 or the
query count grows with the rows.

Usage: .venv/bin/python bench/ledger.py [--count 5000] [--runs 30] [--keep-tmp]
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    PROJECT_SETTINGS,
    BenchError,
    Figures,
    _terminate,
    executable,
    finish,
    log,
    project_env,
    run_step,
)

SMALL = 50


# -- the worker: runs inside the throwaway site ---------------------------------------------------


def _write_items(world, start: int, count: int) -> None:
    """`count` items in township A's two villages, numbered from `start`: per 20 items, 7 closed,
    5 in progress (2 of them overdue), 5 done, 2 waiting to be taken on, 1 cancelled."""
    import datetime

    from django.utils import timezone

    from ledger.models import Helper, LedgerItem, Source
    from ledger.states import State

    pattern = [State.CLOSED] * 7 + [State.IN_PROGRESS] * 5 + [State.DONE] * 5 + [State.REGISTERED] * 2
    pattern.append(State.CANCELLED)
    now = timezone.now()
    today = timezone.localdate()
    villages = [(world.village_a1, world.station_a1), (world.village_a2, world.station_a2)]
    rows = []
    for n in range(start, start + count):
        state = pattern[n % len(pattern)]
        village, station = villages[n % 2]
        promised = state not in (State.REGISTERED, State.CANCELLED)
        overdue = state == State.IN_PROGRESS and n % 5 < 2
        rows.append(
            LedgerItem(
                number=f"W120115121-2000-{n:06d}",
                village=village,
                office=world.centre_a,
                station=station,
                villager_name=f"村民{n:05d}",
                villager_mobile=f"139{n:08d}",
                need="村东头的路灯坏了，晚上老人出门看不见路。",
                source=Source.PUBLIC_FORM,
                state=state,
                registered_at=now - datetime.timedelta(minutes=n),
                promise="三个工作日内更换路灯灯头" if promised else "",
                promised_on=today + datetime.timedelta(days=-3 if overdue else 5) if promised else None,
                promised_at=now - datetime.timedelta(minutes=n) if promised else None,
                helper=Helper.STAFF if promised else "",
                assignee=world.clerk_a if promised else None,
                assignee_office=world.centre_a if promised else None,
                done_at=now if state in (State.DONE, State.CLOSED) else None,
                closed_at=now if state == State.CLOSED else None,
            )
        )
    LedgerItem.objects.bulk_create(rows, batch_size=500)


def _measure(client, path: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm the caches (language, site, font)
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read now: every request starts by clearing the connection's query log.
    count = len(queries.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "queries": count,
        "bytes": len(response.content),
        "median_ms": times[len(times) // 2],
        "p95_ms": times[min(len(times) - 1, round(0.95 * len(times)))],
    }


def run_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from ledger.models import LedgerItem
    from tests.conftest import build_world

    with transaction.atomic():
        world = build_world()
    client = Client(HTTP_HOST="127.0.0.1")
    page = reverse("promises:list", args=[world.township_a.code])
    pdf = reverse("promises:print", args=[world.township_a.code])

    _write_items(world, 0, SMALL)
    small_page = _measure(client, page, 3)
    small_pdf = _measure(client, pdf, 3)
    _write_items(world, SMALL, args.count - SMALL)
    large_page = _measure(client, page, args.runs)
    large_pdf = _measure(client, pdf, max(5, args.runs // 3))
    report = {
        "items": LedgerItem.objects.filter(village__parent=world.township_a).count(),
        "small_page": small_page,
        "small_pdf": small_pdf,
        "large_page": large_page,
        "large_pdf": large_pdf,
    }
    print(json.dumps(report))
    return 0


# -- the driver -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="ledger items in the township (5000)")
    parser.add_argument("--runs", type=int, default=30, help="renders of the list page timed (30)")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the throwaway site afterwards")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count <= SMALL or args.runs < 1:
        parser.error(f"--count must be above {SMALL} and --runs at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    import subprocess

    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-ledger-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        env = project_env(tmp, PROJECT_SETTINGS)
        env["PRIVATE_MEDIA_ROOT"] = str(tmp / "private")
        manage = str(REPO_ROOT / "manage.py")
        run_step("migrate", [python, manage, "migrate", "--noinput"], env, 900, args.verbose)
        run_step("collectstatic", [python, manage, "collectstatic", "--noinput"], env, 300, args.verbose)
        log(f"writing {args.count} ledger items in one township and rendering its promise list ...")
        command = [
            python,
            str(Path(__file__).resolve()),
            "--worker",
            f"--count={args.count}",
            f"--runs={args.runs}",
        ]
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            raise BenchError(f"the worker failed (exit {done.returncode})")
        try:
            report = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError) as exc:
            raise BenchError("the worker printed no figures") from exc
        small, large = report["small_page"], report["large_page"]
        figures.add("ledger_items_in_township", report["items"], "count")
        figures.add("promise_list_queries_at_50", small["queries"], "count")
        figures.add(f"promise_list_queries_at_{args.count}", large["queries"], "count")
        figures.add("promise_list_render_median", large["median_ms"], "ms", decimals=2)
        figures.add("promise_list_render_p95", large["p95_ms"], "ms", decimals=2)
        figures.add("promise_list_render_median_at_50", small["median_ms"], "ms", decimals=2)
        figures.add("promise_list_bytes", large["bytes"], "bytes")
        figures.add("promise_pdf_queries_at_50", report["small_pdf"]["queries"], "count")
        figures.add(f"promise_pdf_queries_at_{args.count}", report["large_pdf"]["queries"], "count")
        figures.add("promise_pdf_median", report["large_pdf"]["median_ms"], "ms", decimals=2)
        figures.add("promise_pdf_bytes", report["large_pdf"]["bytes"], "bytes")
        if (
            small["queries"] != large["queries"]
            or report["small_pdf"]["queries"] != report["large_pdf"]["queries"]
        ):
            raise BenchError("the query count grows with the number of ledger items")
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
